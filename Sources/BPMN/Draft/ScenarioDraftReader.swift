import EngineCore
import Yams

/// Reads a scenario file into a draft for export. The file is validated by the real loader
/// first, so this reader only picks fields out and never has to explain a mistake.
enum ScenarioDraftReader {
    static let stepKinds: Set<String> = [
        "wait", "wait_for", "branch", "split", "send", "show", "set", "emit", "digest", "end",
    ]

    static func read(yaml: String, file: String) throws(BPMNError) -> ScenarioDraft {
        if case .failure(let errors) = ScenarioLoader.load(yaml: yaml, file: file) {
            throw BPMNError(
                .invalidScenario, file: file, line: errors.errors.first?.location.line,
                "the scenario does not validate (\(errors.errors.count) error(s)); nothing was exported",
                details: errors.errors.map(\.description))
        }
        guard let root = try? Yams.compose(yaml: yaml), let fields = root.mapping,
            let id = text(fields["id"]), let version = fields["version"]?.int,
            let triggerFields = fields["trigger"]?.mapping, let parsedTrigger = trigger(triggerFields),
            let steps = fields["steps"]?.mapping
        else {
            throw BPMNError(.invalidScenario, file: file, line: nil, "the scenario could not be read back")
        }
        var draft = ScenarioDraft(id: id, version: version, trigger: parsedTrigger)
        draft.name = text(fields["name"])
        draft.description = text(fields["description"])
        draft.owner = text(fields["owner"])
        draft.status = text(fields["status"])
        draft.params = entries(fields["params"], flow: true)
        draft.vars = entries(fields["vars"])
        if let entry = fields["entry"]?.mapping {
            draft.entry = EntryDraft(
                key: text(entry["key"]), once: entry["once"]?.bool ?? false, oncePer: text(entry["once_per"]))
        }
        draft.goals = exitRules(fields["goals"])
        draft.exits = exitRules(fields["exits"])
        draft.start = text(fields["start"])
        for (key, value) in steps {
            guard let stepId = key.scalar?.string, let stepFields = value.mapping, let kind = step(stepFields)
            else { continue }
            draft.steps.append(StepDraft(id: stepId, kind: kind))
        }
        // The loader starts at the first step when `start` is missing; the drawing needs it named.
        if draft.start == nil { draft.start = draft.steps.first?.id }
        return draft
    }

    private static func text(_ node: Node?) -> String? {
        node?.scalar?.string
    }

    private static func entries(_ node: Node?, flow: Bool = false) -> [NamedText] {
        guard let mapping = node?.mapping else { return [] }
        return mapping.compactMap { pair in
            let value = pair.value
            guard let name = pair.key.scalar?.string else { return nil }
            let text = flow ? YAMLText.flow(value) : (value.scalar?.string ?? YAMLText.flow(value))
            return NamedText(name, text)
        }
    }

    private static func trigger(_ fields: Node.Mapping) -> TriggerDraft? {
        let when = text(fields["when"])
        if let name = text(fields["event"]) { return .event(name: name, when: when) }
        if let name = text(fields["absence"]), let span = text(fields["for"]) {
            return .absence(name: name, span: span, when: when)
        }
        guard let attribute = text(fields["date"]) else { return nil }
        return .date(
            attribute: attribute, offset: text(fields["offset"]), at: text(fields["at"]),
            yearly: fields["yearly"]?.bool ?? false, when: when)
    }

    private static func exitRules(_ node: Node?) -> [ExitDraft] {
        (node?.sequence ?? []).compactMap { item in
            guard let fields = item.mapping, let event = text(fields["event"]) else { return nil }
            return ExitDraft(id: text(fields["id"]) ?? event, event: event, when: text(fields["when"]))
        }
    }

    private static func step(_ fields: Node.Mapping) -> StepDraft.Kind? {
        var found: (kind: String, body: Node)?
        for (key, value) in fields {
            if let name = key.scalar?.string, stepKinds.contains(name) {
                found = (name, value)
                break
            }
        }
        guard let found else { return nil }
        let (kind, body) = (found.kind, found.body)
        let next = text(fields["next"])
        switch kind {
        case "wait":
            if let span = text(body) { return .wait(.duration(span), next: next) }
            let wait = body.mapping
            if let span = text(wait?["for"]) { return .wait(.duration(span), next: next) }
            if let time = text(wait?["until_time"]) { return .wait(.untilTime(time), next: next) }
            return text(wait?["until"]).map { .wait(.until($0), next: next) }
        case "wait_for":
            guard let wait = body.mapping, let event = text(wait["event"]), let timeout = text(wait["timeout"])
            else { return nil }
            return .waitFor(
                WaitForDraft(
                    event: event, when: text(wait["when"]), timeout: timeout, onEvent: text(fields["on_event"]),
                    onTimeout: text(fields["on_timeout"])))
        case "branch":
            let cases = (body.sequence ?? []).compactMap { item -> BranchCase? in
                guard let when = text(item.mapping?["when"]), let next = text(item.mapping?["next"]) else { return nil }
                return BranchCase(when: when, next: next)
            }
            return .branch(cases: cases, otherwise: text(fields["otherwise"]))
        case "split":
            return .split(
                (body.sequence ?? []).compactMap { item in
                    item.mapping?["percent"]?.int.map { SplitPath(percent: $0, next: text(item.mapping?["next"])) }
                })
        case "send":
            guard let send = body.mapping, let channel = text(send["channel"]), let template = text(send["template"])
            else { return nil }
            var draft = SendDraft(channel: channel, template: template)
            draft.variables = entries(send["variables"])
            draft.priority = send["priority"]?.int
            draft.transactional = send["transactional"]?.bool
            draft.topic = text(send["topic"])
            return .send(draft, next: next)
        case "end":
            return .end
        default:
            return .other(kind: kind, body: YAMLText.flow(body), next: next)
        }
    }
}

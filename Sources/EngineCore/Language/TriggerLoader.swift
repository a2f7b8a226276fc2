import Yams

/// `trigger:` one of `event`, `date` or `absence`.
enum TriggerLoader {
    static func load(_ node: Node, reader: YAMLReader, params: [String: Value]) -> Trigger? {
        guard
            let fields = reader.mapping(
                node, "trigger", allowed: ["event", "date", "absence", "when", "for", "offset", "at", "yearly"])
        else { return nil }
        let kinds = ["event", "date", "absence"].filter { fields.has($0) }
        guard kinds.count == 1, let kind = kinds.first else {
            reader.report(.wrongShape, node, "trigger needs exactly one of 'event', 'date' or 'absence'")
            return nil
        }
        let allowedExtras: [String: Set<String>] = [
            "event": ["when"], "date": ["when", "offset", "at", "yearly"], "absence": ["when", "for"],
        ]
        for (key, keyNode, _) in fields.entries
        where key != kind && ["when", "for", "offset", "at", "yearly"].contains(key) {
            if !(allowedExtras[kind]?.contains(key) ?? false) {
                reader.report(.unknownField, keyNode, "'\(key)' does not apply to a '\(kind)' trigger")
            }
        }
        let scope = ExpressionScope(hasEvent: kind == "event", params: params, instanceVariables: [:])
        let condition = fields["when"].flatMap { reader.expression($0, "trigger.when", scope: scope, expecting: .bool) }
        switch kind {
        case "event":
            guard let name = fields["event"].flatMap({ reader.string($0, "trigger.event") }) else { return nil }
            return .event(name: name, condition: condition)
        case "absence":
            guard let name = fields["absence"].flatMap({ reader.string($0, "trigger.absence") }) else { return nil }
            guard let forNode = fields["for"] else {
                reader.report(.missingField, node, "an 'absence' trigger needs 'for' (e.g. for: 14d)")
                return nil
            }
            guard let span = reader.span(forNode, "for") else { return nil }
            return .absence(name: name, span: span, condition: condition)
        default:
            guard let path = fields["date"].flatMap({ reader.string($0, "trigger.date") }) else { return nil }
            guard path.hasPrefix("profile."), path.count > 8, !path.dropFirst(8).contains(".") else {
                if let dateNode = fields["date"] {
                    reader.report(
                        .invalidValue, dateNode, "'date' must name a profile attribute, e.g. profile.birthday")
                }
                return nil
            }
            let offset = fields["offset"].flatMap { reader.span($0, "offset") } ?? TimeSpan(milliseconds: 0)
            let at = fields["at"].flatMap { reader.timeOfDay($0, "at") }
            let yearly = fields["yearly"].flatMap { reader.bool($0, "yearly") } ?? false
            return .date(
                DateTrigger(
                    attribute: String(path.dropFirst(8)), offset: offset, at: at, yearly: yearly, condition: condition))
        }
    }
}

/// `entry:` re-entry and concurrency rules.
enum EntryLoader {
    static func load(_ node: Node, reader: YAMLReader, scope: ExpressionScope) -> EntryRule? {
        guard let fields = reader.mapping(node, "entry", allowed: ["key", "once", "once_per"]) else { return nil }
        var rule = EntryRule()
        if let keyNode = fields["key"] {
            rule.key = reader.expression(keyNode, "entry.key", scope: scope)
        }
        if fields.has("once"), fields.has("once_per") {
            reader.report(.wrongShape, node, "use either 'once' or 'once_per', not both")
        }
        if let onceNode = fields["once"], reader.bool(onceNode, "once") == true {
            rule.frequency = .once
        }
        if let perNode = fields["once_per"], let span = reader.span(perNode, "once_per") {
            rule.frequency = .oncePer(span)
        }
        return rule
    }
}

/// `goals:` and `exits:` lists.
enum ExitRuleLoader {
    static func load(_ node: Node, _ what: String, reader: YAMLReader, scope: ExpressionScope) -> [ExitRule] {
        guard case .sequence(let items) = node else {
            reader.report(.wrongShape, node, "'\(what)' must be a list of {event, when}")
            return []
        }
        var rules: [ExitRule] = []
        for item in items {
            guard
                let fields = reader.mapping(
                    item, "an entry of '\(what)'", allowed: ["id", "event", "when"],
                    required: ["event"]),
                let event = fields["event"].flatMap({ reader.string($0, "event") })
            else { continue }
            let id = fields["id"].flatMap { ScenarioLoader.identifier($0, reader) } ?? event
            let condition = fields["when"].flatMap {
                reader.expression($0, "\(what).when", scope: scope, expecting: .bool)
            }
            rules.append(ExitRule(id: id, event: event, condition: condition))
        }
        return rules
    }
}

import Foundation

/// Turns a BPMN 2.0 process, as Camunda Modeler or bpmn.io draw it, into a scenario draft. What
/// has no counterpart in the scenario language is not dropped: it becomes a comment in the draft.
public enum BPMNImporter {
    static let modelNamespace = "http://www.omg.org/spec/BPMN/20100524/MODEL"

    public static func importProcess(xml: Data, file: String) throws(BPMNError) -> ScenarioDraft {
        let root = try XMLTreeParser.parse(xml, file: file)
        guard root.localName == "definitions", root.namespace == modelNamespace else {
            throw BPMNError(
                .notBPMN, file: file, line: root.line,
                "the root element is <\(root.localName)> in namespace \(root.namespace ?? "none"), not BPMN 2.0 "
                    + "<definitions> in \(modelNamespace)")
        }
        let processes = root.children("process")
        guard !processes.isEmpty else {
            throw BPMNError(.noProcess, file: file, line: root.line, "the definitions hold no <process> to import")
        }
        func hasStart(_ process: XMLTreeElement) -> Bool { process.child("startEvent") != nil }
        let chosen =
            processes.first { $0.attribute("isExecutable") == "true" && hasStart($0) }
            ?? processes.first(where: hasStart) ?? processes[0]
        var messages: [String: String] = [:]
        for message in root.children("message") {
            if let id = message.attribute("id"), let name = message.attribute("name")?.trimmingWhitespace(),
                !name.isEmpty
            {
                messages[id] = name
            }
        }
        var run = ImportRun(graph: try ProcessGraph(process: chosen, file: file), messages: messages, file: file)
        for process in processes where process.attribute("id") != chosen.attribute("id") {
            run.skipped.append(
                "\(FlowNode.describe(process)): a file imports as one scenario; only process "
                    + "\(chosen.attribute("id") ?? "") was imported")
        }
        var draft = try run.build()
        draft.source = URL(fileURLWithPath: file).lastPathComponent
        return draft
    }
}

/// One import: the step ids handed out and what has been mapped, skipped or said so far.
struct ImportRun {
    enum Classification {
        case step
        /// Not a step: the flow goes on through it. A reason is said as a comment; nil for
        /// elements that lose nothing (a gateway that only joins paths).
        case passThrough(String?)
    }

    let graph: ProcessGraph
    let messages: [String: String]
    let file: String
    var skipped: [String] = []
    var stepIds: [String: String] = [:]
    var ids = IdAllocator()
    var queue: [(node: FlowNode, id: String)] = []
    var steps: [StepDraft] = []
    /// Node ids mapped, consumed by another mapping, or already said to be skipped.
    var handled: Set<String> = []
    var passThroughTargets: [String: String?] = [:]
    var afterGoals: Set<String> = []
    var syntheticEnd: String?

    init(graph: ProcessGraph, messages: [String: String], file: String) {
        self.graph = graph
        self.messages = messages
        self.file = file
    }

    mutating func build() throws(BPMNError) -> ScenarioDraft {
        let starts = graph.nodes.filter { $0.kind == "startEvent" }
        let processId = graph.process.attribute("id") ?? ""
        guard let start = starts.first else {
            throw BPMNError(
                .noStartEvent, file: file, line: graph.process.line,
                "process '\(processId)' has no start event; draw a message start event named after the event "
                    + "that starts the scenario")
        }
        if starts.count > 1 {
            throw BPMNError(
                .unsupportedStart, file: file, line: starts[1].line,
                "process '\(processId)' has \(starts.count) start events "
                    + "(\(starts.map(\.id).joined(separator: ", "))); a scenario has exactly one trigger")
        }
        var draft = header(trigger: try trigger(of: start))
        handled.insert(start.id)
        collectGoals(into: &draft)
        draft.start = follow(start) ?? syntheticEndId()
        while !queue.isEmpty {
            let (node, id) = queue.removeFirst()
            steps.append(step(for: node, id: id))
        }
        if let syntheticEnd {
            steps.append(
                StepDraft(
                    id: syntheticEnd, kind: .end, notes: ["added: a path of the process stops without an end event"]))
        }
        for node in graph.nodes where !handled.contains(node.id) {
            let reason =
                afterGoals.contains(node.id)
                ? "reached only after a goal or exit, which ends the instance at once"
                : "not reachable from the start event"
            skipped.append("\(node.described): \(reason)")
        }
        for element in graph.others { skipped.append("\(FlowNode.describe(element)): \(Self.reason(other: element))") }
        draft.steps = steps
        draft.skipped = skipped
        return draft
    }

    // MARK: - The scenario's header, trigger, goals and exits

    private func header(trigger: TriggerDraft) -> ScenarioDraft {
        let process = graph.process
        let properties = ExtensionProperties(process)
        let processId = process.attribute("id") ?? ""
        let name = process.attribute("name")?.trimmingWhitespace()
        let id =
            properties["id"] ?? (Identifiers.isScenarioId(processId) ? processId : nil)
            ?? name.flatMap { Identifiers.slug($0, separator: "-") } ?? Identifiers.slug(processId, separator: "-")
            ?? "imported"
        let version =
            properties["version"].flatMap { Int($0) } ?? process.attribute("versionTag").flatMap { Int($0) } ?? 1
        var draft = ScenarioDraft(id: id, version: version, trigger: trigger)
        draft.name = name.flatMap { $0.isEmpty ? nil : $0 }
        draft.description = process.child("documentation").map(\.trimmedText).flatMap { $0.isEmpty ? nil : $0 }
        draft.owner = properties["owner"]
        draft.status = properties["status"]
        draft.params = properties.withPrefix("params.").filter { !$0.value.isEmpty }
        draft.vars = properties.withPrefix("vars.").filter { !$0.value.isEmpty }
        draft.entry = EntryDraft(
            key: properties["entry.key"], once: properties.flag("entry.once"), oncePer: properties["entry.once_per"])
        return draft
    }

    private func trigger(of start: FlowNode) throws(BPMNError) -> TriggerDraft {
        let properties = start.properties
        let when = properties["when"]
        func unsupported(_ message: String) -> BPMNError {
            BPMNError(.unsupportedStart, file: file, line: start.line, "start event '\(start.id)': \(message)")
        }
        switch start.definition {
        case .message(let ref):
            guard let name = ref.flatMap({ messages[$0] }) ?? start.name else {
                throw unsupported("its message has no name; name the message after the event (e.g. Order Completed)")
            }
            return .event(name: name, when: when)
        case .timer(let duration, _, _):
            if let attribute = properties["date"] {
                return .date(
                    attribute: attribute.hasPrefix("profile.") ? attribute : "profile.\(attribute)",
                    offset: properties["offset"], at: properties["at"], yearly: properties.flag("yearly"), when: when)
            }
            if let name = properties["absence"] {
                guard let span = properties["for"] ?? duration.flatMap({ ISODuration.read($0)?.text }) else {
                    throw unsupported("an absence start needs a timeDuration (e.g. P14D) or the property 'for'")
                }
                return .absence(name: name, span: span, when: when)
            }
            throw unsupported(
                "a timer start starts one process at a clock time, a scenario starts per customer; give it the "
                    + "extension property 'date' (a profile date such as profile.birthday) or 'absence' (an event "
                    + "name, with a timeDuration)")
        case .conditional(let condition):
            guard let condition else { throw unsupported("its condition is empty") }
            // Profile changes arrive as identify calls: the condition is checked on each of them.
            return .event(name: "$identify", when: BPMNExpression.clean(condition))
        case .other(let kind):
            throw unsupported("a start event with \(kind) cannot start a scenario; use a message start event")
        case nil:
            throw unsupported(
                "a start event without a trigger cannot start a scenario; make it a message start event whose "
                    + "message is named after the event")
        }
    }

    private mutating func collectGoals(into draft: inout ScenarioDraft) {
        var goalIds = IdAllocator()
        func add(_ rule: ExitDraft, exit: Bool) {
            if exit { draft.exits.append(rule) } else { draft.goals.append(rule) }
        }
        for node in graph.nodes where node.kind == "boundaryEvent" {
            handled.insert(node.id)
            let interrupting = node.element.attribute("cancelActivity") != "false"
            guard case .message = node.definition, interrupting else {
                let reason =
                    interrupting
                    ? "only message boundary events map (to goals and exits)"
                    : "a non-interrupting boundary event lets the instance go on; goals and exits end it"
                skipped.append("\(node.described): \(reason); its path is not imported")
                continue
            }
            let rule = ExitDraft(
                id: goalIds.claim(Self.baseId(node)), event: messageName(node), when: node.properties["when"])
            add(rule, exit: node.properties.flag("exit"))
            for flow in graph.outgoing(node) {
                if graph.node(flow.target)?.kind == "endEvent" {
                    handled.insert(flow.target)
                } else {
                    afterGoals.insert(flow.target)
                }
            }
        }
        for subprocess in graph.eventSubprocesses {
            let starts = subprocess.children("startEvent")
            guard starts.count == 1, let element = starts.first,
                case let start = FlowNode(element, id: element.attribute("id") ?? ""),
                case .message = start.definition, element.attribute("isInterrupting") != "false"
            else {
                skipped.append(
                    "\(FlowNode.describe(subprocess)): only an event sub-process started by one interrupting "
                        + "message start event maps (to a goal or exit)")
                continue
            }
            let outer = ExtensionProperties(subprocess)
            let base =
                start.name.flatMap { Identifiers.slug($0) }
                ?? subprocess.attribute("name").flatMap { Identifiers.slug($0) } ?? Self.baseId(start)
            let rule = ExitDraft(
                id: goalIds.claim(base), event: messageName(start), when: start.properties["when"] ?? outer["when"])
            add(rule, exit: start.properties.flag("exit") || outer.flag("exit"))
            for inner in subprocess.children
            where ProcessGraph.flowNodeKinds.contains(inner.localName) && inner.localName != "startEvent"
                && inner.localName != "endEvent"
            {
                skipped.append(
                    "\(FlowNode.describe(inner)) in event sub-process \(subprocess.attribute("id") ?? ""): a goal "
                        + "or exit ends the instance at once; what follows it is not imported")
            }
        }
    }

    // MARK: - Names

    /// A step or goal id: from the name a modeler user sees, else from the element id.
    static func baseId(_ node: FlowNode) -> String {
        node.name.flatMap { Identifiers.slug($0) } ?? Identifiers.slug(node.id) ?? "step"
    }

    /// The event a message element waits for: its message's name, else the element's name.
    func messageName(_ node: FlowNode) -> String {
        var ref: String?
        if case .message(let messageRef) = node.definition { ref = messageRef }
        if ref == nil { ref = node.element.attribute("messageRef") }
        return ref.flatMap { messages[$0] } ?? node.name ?? node.id
    }

    mutating func syntheticEndId() -> String {
        if let syntheticEnd { return syntheticEnd }
        let id = ids.claim("end")
        syntheticEnd = id
        return id
    }

    private static func reason(other element: XMLTreeElement) -> String {
        switch element.localName {
        case "laneSet", "lane": "lanes say who does a step; a scenario has no roles"
        case "textAnnotation", "association", "group", "category": "annotations are documentation only"
        case "dataObject", "dataObjectReference", "dataStoreReference":
            "data objects are not mapped; declare instance variables with 'vars.*' properties on the process"
        default: "no scenario counterpart"
        }
    }
}

extension BPMNImporter {
    public static func importProcess(xml: String, file: String) throws(BPMNError) -> ScenarioDraft {
        try importProcess(xml: Data(xml.utf8), file: file)
    }
}

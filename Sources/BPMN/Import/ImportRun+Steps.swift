/// The walk from the start event: each flow node becomes a step, or is passed through with a
/// comment saying why, in the order a reader follows the drawing (breadth first).
extension ImportRun {
    static let defaultTimeout = "30d"
    static let rawStepKinds: Set<String> = ["set", "show", "emit", "digest"]

    /// Where the flow out of `node` leads: the step id of its first outgoing flow's target.
    mutating func follow(_ node: FlowNode) -> String? {
        let flows = graph.outgoing(node)
        noteExtraFlows(of: node, flows)
        return flows.first.flatMap { resolve($0.target) }
    }

    private mutating func noteExtraFlows(of node: FlowNode, _ flows: [SequenceFlow]) {
        for extra in flows.dropFirst() {
            skipped.append(
                "bpmn:sequenceFlow id=\(extra.id) from \(node.id) to \(extra.target): only the first outgoing flow "
                    + "of \(node.id) is followed; an instance takes one path (use an exclusive gateway with conditions)"
            )
        }
    }

    /// The step id a flow into `id` reaches, making the node a step on first sight.
    mutating func resolve(_ id: String, visiting: Set<String> = []) -> String? {
        if let stepId = stepIds[id] { return stepId }
        if let target = passThroughTargets[id] { return target }
        guard let node = graph.node(id), !visiting.contains(id) else { return nil }
        switch classify(node) {
        case .step:
            let stepId = ids.claim(Self.baseId(node))
            stepIds[id] = stepId
            handled.insert(id)
            queue.append((node, stepId))
            return stepId
        case .passThrough(let reason):
            handled.insert(id)
            let flows = graph.outgoing(node)
            let target = flows.first.flatMap { resolve($0.target, visiting: visiting.union([id])) }
            passThroughTargets[id] = .some(target)
            if let reason {
                let onward = target.map { "the flow goes on to '\($0)'" } ?? "the path ends here"
                skipped.append("\(node.described): \(reason); skipped, \(onward)")
            }
            noteExtraFlows(of: node, flows)
            return target
        }
    }

    func classify(_ node: FlowNode) -> ImportRun.Classification {
        if node.properties["step"].flatMap(Self.rawStep) != nil { return .step }
        let outgoing = graph.outgoing(node)
        switch node.kind {
        case "endEvent", "receiveTask":
            return .step
        case "intermediateCatchEvent":
            switch node.definition {
            case .message: return .step
            case .timer:
                return wait(of: node) != nil
                    ? .step
                    : .passThrough(
                        "a timer with only a cycle, or with nothing set, cannot be a wait (a wait is a duration, "
                            + "a date or a time of day)"
                    )
            case .conditional, .other: return .passThrough("only message and timer catch events have a counterpart")
            case nil: return .passThrough("a catch event without a definition waits for nothing")
            }
        case "eventBasedGateway":
            return outgoing.contains { graph.node($0.target).map { isMessageWait($0) } ?? false }
                ? .step : .passThrough("an event-based gateway needs a message catch event among its targets")
        case "exclusiveGateway":
            if outgoing.count <= 1 { return .passThrough(nil) }
            return isSplit(node) || outgoing.contains { $0.condition != nil }
                ? .step : .passThrough("none of its outgoing flows has a condition")
        case "sendTask", "serviceTask":
            return node.properties["channel"] != nil && node.properties["template"] != nil
                ? .step
                : .passThrough(
                    "a \(node.kind) needs the extension properties 'channel' and 'template' to become a send step")
        case "userTask", "manualTask":
            return .passThrough("it waits for a person; a scenario has no people in its flow")
        case "scriptTask": return .passThrough("scripts do not run in a scenario")
        case "businessRuleTask":
            return .passThrough("decision tables are not evaluated; use an exclusive gateway with conditions")
        case "task": return .passThrough("a plain task does nothing; use a send task, or give it the property 'step'")
        case "parallelGateway", "inclusiveGateway", "complexGateway":
            return .passThrough("an instance is at one step at a time, so paths cannot run in parallel")
        case "intermediateThrowEvent": return .passThrough("throw events are not mapped; send with a send task")
        case "subProcess", "transaction", "adHocSubProcess", "callActivity":
            let inner = node.element.children.filter { ProcessGraph.flowNodeKinds.contains($0.localName) }.count
            return .passThrough(
                "sub-processes and call activities are not mapped (\(inner) inner element(s) not imported); "
                    + "draw their steps in the main process"
            )
        default: return .passThrough("no scenario counterpart")
        }
    }

    mutating func step(for node: FlowNode, id: String) -> StepDraft {
        var notes: [String] = []
        let kind: StepDraft.Kind
        if let raw = node.properties["step"].flatMap(Self.rawStep) {
            kind = .other(kind: raw.kind, body: raw.body, next: follow(node))
        } else {
            switch node.kind {
            case "endEvent": kind = .end
            case "intermediateCatchEvent" where !isMessageWait(node):
                // classify() made it a step only when it has a wait.
                let (pause, note) = wait(of: node) ?? (.duration(Self.defaultTimeout), nil)
                if let note { notes.append(note) }
                kind = .wait(pause, next: follow(node))
            case "eventBasedGateway": kind = eventGateway(node, notes: &notes)
            case "exclusiveGateway": kind = isSplit(node) ? split(node) : branch(node, notes: &notes)
            case "sendTask", "serviceTask": kind = send(node, notes: &notes)
            default:
                // A message catch event or a receive task: wait for the event; the instance ends on timeout.
                let timeout = node.properties["timeout"] ?? defaultTimeout(&notes)
                kind = .waitFor(
                    WaitForDraft(
                        event: messageName(node), when: node.properties["when"], timeout: timeout,
                        onEvent: follow(node), onTimeout: nil))
            }
        }
        return StepDraft(id: id, kind: kind, notes: notes)
    }

    // MARK: - Step kinds

    private func defaultTimeout(_ notes: inout [String]) -> String {
        notes.append("no timer or 'timeout' property: waits at most \(Self.defaultTimeout)")
        return Self.defaultTimeout
    }

    func isMessageWait(_ node: FlowNode) -> Bool {
        if node.kind == "receiveTask" { return true }
        guard node.kind == "intermediateCatchEvent", case .message = node.definition else { return false }
        return true
    }

    /// The wait of a timer catch event, and a note when it was approximated.
    func wait(of node: FlowNode) -> (WaitDraft, String?)? {
        if let time = node.properties["until_time"] { return (.untilTime(time), nil) }
        guard case .timer(let duration, let date, _) = node.definition else { return nil }
        if let duration {
            guard let reading = ISODuration.read(duration) else {
                return (.duration(BPMNExpression.clean(duration)), nil)
            }
            let note =
                reading.approximated
                ? "\(duration) read as \(reading.text) (years and months have no fixed length)" : nil
            return (.duration(reading.text), note)
        }
        if let date {
            let instant = BPMNExpression.clean(date)
            return (.until(Self.looksLikeInstant(instant) ? "timestamp(\"\(instant)\")" : instant), nil)
        }
        return nil
    }

    static func looksLikeInstant(_ text: String) -> Bool {
        let characters = Array(text)
        return characters.count >= 10 && characters[0..<4].allSatisfy(\.isNumber) && characters[4] == "-"
            && !text.contains("\"")
    }

    private mutating func eventGateway(_ node: FlowNode, notes: inout [String]) -> StepDraft.Kind {
        var message: FlowNode?
        var timer: (node: FlowNode, span: String)?
        for flow in graph.outgoing(node) {
            guard let target = graph.node(flow.target) else { continue }
            if message == nil, isMessageWait(target) {
                message = target
            } else if timer == nil, case (.duration(let span), _)? = wait(of: target) {
                timer = (target, span)
            } else {
                skipped.append(
                    "\(target.described): a further path of event-based gateway \(node.id); a wait_for step waits "
                        + "for one event and one timeout")
            }
            handled.insert(target.id)
        }
        // classify() made it a step only when a message catch event is among its targets.
        let event = message.map { messageName($0) } ?? node.id
        let timeout =
            timer?.span ?? message?.properties["timeout"] ?? node.properties["timeout"] ?? defaultTimeout(&notes)
        let onEvent = message.flatMap { follow($0) }
        let onTimeout = timer.flatMap { follow($0.node) }
        return .waitFor(
            WaitForDraft(
                event: event, when: message?.properties["when"] ?? node.properties["when"], timeout: timeout,
                onEvent: onEvent, onTimeout: onTimeout))
    }

    private func isSplit(_ node: FlowNode) -> Bool {
        let flows = graph.outgoing(node)
        return !flows.isEmpty && flows.allSatisfy { $0.properties["percent"].flatMap { Int($0) } != nil }
    }

    private mutating func split(_ node: FlowNode) -> StepDraft.Kind {
        .split(
            graph.outgoing(node).map { flow in
                SplitPath(percent: flow.properties["percent"].flatMap { Int($0) } ?? 0, next: resolve(flow.target))
            })
    }

    private mutating func branch(_ node: FlowNode, notes: inout [String]) -> StepDraft.Kind {
        let defaultFlow = node.element.attribute("default")
        var cases: [BranchCase] = []
        var otherwise: String?
        var hasOtherwise = false
        for flow in graph.outgoing(node) {
            if flow.id == defaultFlow {
                otherwise = resolve(flow.target)
                hasOtherwise = true
            } else if let condition = flow.condition {
                cases.append(BranchCase(when: condition, next: resolve(flow.target) ?? syntheticEndId()))
            } else if defaultFlow == nil, !hasOtherwise {
                otherwise = resolve(flow.target)
                hasOtherwise = true
                notes.append("flow \(flow.id) has no condition and the gateway no default flow: taken as otherwise")
            } else {
                skipped.append(
                    "bpmn:sequenceFlow id=\(flow.id) from \(node.id): no condition and not the default flow, so "
                        + "never taken")
            }
        }
        return .branch(cases: cases, otherwise: otherwise)
    }

    private mutating func send(_ node: FlowNode, notes: inout [String]) -> StepDraft.Kind {
        let properties = node.properties
        var send = SendDraft(channel: properties["channel"] ?? "", template: properties["template"] ?? "")
        send.variables = properties.withPrefix("variables.")
        if let priority = properties["priority"] {
            if let value = Int(priority) {
                send.priority = value
            } else {
                notes.append("priority '\(priority)' is not a number; left out (default 50)")
            }
        }
        send.transactional = properties["transactional"].map { $0.lowercased() == "true" }
        send.topic = properties["topic"]
        return .send(send, next: follow(node))
    }

    /// The property `step: set: {profile: {...}}`: a step kind BPMN has no element for.
    static func rawStep(_ text: String) -> (kind: String, body: String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let kind = text[..<colon].trimmingWhitespace()
        // Flow YAML ignores line breaks between values; the step is written on one line.
        let body = String(text[text.index(after: colon)...].map { $0.isNewline ? " " : $0 }).trimmingWhitespace()
        guard rawStepKinds.contains(kind), !body.isEmpty else { return nil }
        return (kind, body)
    }
}

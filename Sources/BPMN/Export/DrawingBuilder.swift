/// Builds the drawing of a draft: one element per step (a wait_for is a gateway and two catch
/// events), flows for `next` and friends, an event sub-process per goal and exit. Every choice
/// here is one the importer reads back to the same draft.
struct DrawingBuilder {
    private var drawing: ProcessDrawing
    private var flowCount = 0
    private var messageIds: [String: String] = [:]
    private var entries: [String: String] = [:]

    static func drawing(of draft: ScenarioDraft) -> ProcessDrawing {
        var builder = DrawingBuilder(draft: draft)
        builder.addStart(draft.trigger, first: draft.start ?? draft.steps.first?.id)
        for step in draft.steps { builder.add(step) }
        for (index, goal) in draft.goals.enumerated() {
            builder.addExitRule(goal, id: "Goal_\(index + 1)", exit: false)
        }
        for (index, exit) in draft.exits.enumerated() { builder.addExitRule(exit, id: "Exit_\(index + 1)", exit: true) }
        return builder.drawing
    }

    private init(draft: ScenarioDraft) {
        let processId = Identifiers.isXMLId(draft.id) ? draft.id : "Process_\(Identifiers.slug(draft.id) ?? "1")"
        drawing = ProcessDrawing(processId: processId, processName: draft.name, documentation: draft.description)
        var properties: [NamedText] = []
        if processId != draft.id { properties.append(NamedText("id", draft.id)) }
        properties.append(NamedText("version", String(draft.version)))
        if let owner = draft.owner { properties.append(NamedText("owner", owner)) }
        if let status = draft.status { properties.append(NamedText("status", status)) }
        if let key = draft.entry.key { properties.append(NamedText("entry.key", key)) }
        if draft.entry.once { properties.append(NamedText("entry.once", "true")) }
        if let oncePer = draft.entry.oncePer { properties.append(NamedText("entry.once_per", oncePer)) }
        properties += draft.params.map { NamedText("params.\($0.name)", $0.value) }
        properties += draft.vars.map { NamedText("vars.\($0.name)", $0.value) }
        drawing.properties = properties
        for step in draft.steps { entries[step.id] = Self.elementId(step) }
    }

    /// The element a flow into the step enters.
    static func elementId(_ step: StepDraft) -> String {
        switch step.kind {
        case .wait, .end: "Event_\(step.id)"
        case .waitFor(let wait): wait.onTimeout == nil ? "Event_\(step.id)" : "Gateway_\(step.id)"
        case .branch, .split: "Gateway_\(step.id)"
        case .send, .other: "Activity_\(step.id)"
        }
    }

    private mutating func message(_ name: String) -> String {
        if let id = messageIds[name] { return id }
        let id = "Message_\(drawing.messages.count + 1)"
        messageIds[name] = id
        drawing.messages.append((id, name))
        return id
    }

    @discardableResult
    private mutating func connect(
        _ source: String, _ step: String?, condition: String? = nil, properties: [NamedText] = []
    ) -> String? {
        guard let step, let target = entries[step] else { return nil }
        return connect(source, element: target, condition: condition, properties: properties)
    }

    @discardableResult
    private mutating func connect(
        _ source: String, element target: String, condition: String? = nil, properties: [NamedText] = []
    ) -> String {
        flowCount += 1
        let id = "Flow_\(flowCount)"
        drawing.flows.append(
            ProcessDrawing.Flow(id: id, source: source, target: target, condition: condition, properties: properties))
        return id
    }

    private mutating func addStart(_ trigger: TriggerDraft, first: String?) {
        var start = ProcessDrawing.Node(id: drawing.startId, kind: .startEvent)
        switch trigger {
        case .event(let name, let when):
            if name == "$identify", let when {
                start.name = "Profile changes"
                start.definition = .conditional(when)
            } else {
                start.name = name
                start.definition = .message(ref: message(name))
                if let when { start.properties = [NamedText("when", when)] }
            }
        case .date(let attribute, let offset, let at, let yearly, let when):
            start.name = attribute
            start.definition = .timer(duration: nil, date: nil)
            start.properties = [NamedText("date", attribute)]
            if let offset { start.properties.append(NamedText("offset", offset)) }
            if let at { start.properties.append(NamedText("at", at)) }
            if yearly { start.properties.append(NamedText("yearly", "true")) }
            if let when { start.properties.append(NamedText("when", when)) }
        case .absence(let name, let span, let when):
            start.name = "No \(name) for \(span)"
            let iso = ISODuration.write(span)
            start.definition = .timer(duration: iso, date: nil)
            start.properties = [NamedText("absence", name)]
            if iso == nil { start.properties.append(NamedText("for", span)) }
            if let when { start.properties.append(NamedText("when", when)) }
        }
        drawing.nodes.append(start)
        connect(start.id, first)
    }

    private mutating func add(_ step: StepDraft) {
        let id = Self.elementId(step)
        let name = Identifiers.humanized(step.id)
        switch step.kind {
        case .wait(let wait, let next):
            var node = ProcessDrawing.Node(id: id, kind: .intermediateCatchEvent, name: name)
            switch wait {
            case .duration(let span): node.definition = .timer(duration: ISODuration.write(span) ?? span, date: nil)
            case .untilTime(let time):
                node.definition = .timer(duration: nil, date: nil)
                node.properties = [NamedText("until_time", time)]
            case .until(let instant): node.definition = .timer(duration: nil, date: Self.timeDate(instant))
            }
            drawing.nodes.append(node)
            connect(id, next)
        case .waitFor(let wait):
            addWaitFor(wait, id: id, stepId: step.id, name: name)
        case .branch(let cases, let otherwise):
            let gateway = drawing.nodes.count
            drawing.nodes.append(ProcessDrawing.Node(id: id, kind: .exclusiveGateway, name: name))
            for item in cases { connect(id, item.next, condition: item.when) }
            if let flow = connect(id, otherwise) { drawing.nodes[gateway].defaultFlow = flow }
        case .split(let paths):
            drawing.nodes.append(ProcessDrawing.Node(id: id, kind: .exclusiveGateway, name: name))
            for (index, path) in paths.enumerated() {
                let percent = [NamedText("percent", String(path.percent))]
                if path.next != nil {
                    connect(id, path.next, properties: percent)
                } else {
                    // A path without a step (a control group) ends at once.
                    let end = "Event_\(step.id)_end_\(index + 1)"
                    drawing.nodes.append(ProcessDrawing.Node(id: end, kind: .endEvent, name: "End"))
                    connect(id, element: end, properties: percent)
                }
            }
        case .send(let send, let next):
            var properties = [NamedText("channel", send.channel), NamedText("template", send.template)]
            if let topic = send.topic { properties.append(NamedText("topic", topic)) }
            if let priority = send.priority { properties.append(NamedText("priority", String(priority))) }
            if let transactional = send.transactional {
                properties.append(NamedText("transactional", String(transactional)))
            }
            properties += send.variables.map { NamedText("variables.\($0.name)", $0.value) }
            drawing.nodes.append(ProcessDrawing.Node(id: id, kind: .sendTask, name: name, properties: properties))
            connect(id, next)
        case .other(let kind, let body, let next):
            let properties = [NamedText("step", "\(kind): \(body)")]
            drawing.nodes.append(ProcessDrawing.Node(id: id, kind: .task, name: name, properties: properties))
            connect(id, next)
        case .end:
            drawing.nodes.append(ProcessDrawing.Node(id: id, kind: .endEvent, name: name))
        }
    }

    private mutating func addWaitFor(_ wait: WaitForDraft, id: String, stepId: String, name: String) {
        let when = wait.when.map { [NamedText("when", $0)] } ?? []
        let messageRef = message(wait.event)
        guard let onTimeout = wait.onTimeout else {
            // No timeout path: one message catch event; the timeout is a property, as the importer reads it.
            var node = ProcessDrawing.Node(id: id, kind: .intermediateCatchEvent, name: name)
            node.definition = .message(ref: messageRef)
            node.properties = when + [NamedText("timeout", wait.timeout)]
            drawing.nodes.append(node)
            connect(id, wait.onEvent)
            return
        }
        drawing.nodes.append(ProcessDrawing.Node(id: id, kind: .eventBasedGateway, name: name))
        var event = ProcessDrawing.Node(id: "Event_\(stepId)_message", kind: .intermediateCatchEvent, name: wait.event)
        event.definition = .message(ref: messageRef)
        event.properties = when
        var timer = ProcessDrawing.Node(
            id: "Event_\(stepId)_timeout", kind: .intermediateCatchEvent, name: "After \(wait.timeout)")
        timer.definition = .timer(duration: ISODuration.write(wait.timeout) ?? wait.timeout, date: nil)
        drawing.nodes += [event, timer]
        connect(id, element: event.id)
        connect(id, element: timer.id)
        connect(event.id, wait.onEvent)
        connect(timer.id, onTimeout)
    }

    private mutating func addExitRule(_ rule: ExitDraft, id: String, exit: Bool) {
        var start = ProcessDrawing.Node(
            id: "\(id)_start", kind: .startEvent, name: Identifiers.humanized(rule.id), interrupting: true)
        start.definition = .message(ref: message(rule.event))
        if let when = rule.when { start.properties.append(NamedText("when", when)) }
        if exit { start.properties.append(NamedText("exit", "true")) }
        let end = ProcessDrawing.Node(id: "\(id)_end", kind: .endEvent, name: exit ? "Exited" : "Goal reached")
        drawing.subprocesses.append(
            ProcessDrawing.EventSubprocess(
                id: id, name: "\(exit ? "Exit" : "Goal"): \(rule.event)", nodes: [start, end],
                flow: ProcessDrawing.Flow(id: "\(id)_flow", source: start.id, target: end.id)))
    }

    /// `timestamp("2026-06-01T00:00:00Z")` is drawn as the ISO instant; other instants as written.
    static func timeDate(_ instant: String) -> String {
        let prefix = "timestamp(\""
        let suffix = "\")"
        guard instant.hasPrefix(prefix), instant.hasSuffix(suffix), instant.count > prefix.count + suffix.count
        else { return instant }
        let inner = String(instant.dropFirst(prefix.count).dropLast(suffix.count))
        return ImportRun.looksLikeInstant(inner) ? inner : instant
    }
}

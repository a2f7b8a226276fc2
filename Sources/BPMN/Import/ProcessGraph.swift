/// One BPMN process as a graph: its flow nodes in document order and the sequence flows between them.
struct ProcessGraph: Sendable {
    static let flowNodeKinds: Set<String> = [
        "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "task",
        "sendTask", "serviceTask", "userTask", "manualTask", "scriptTask", "businessRuleTask", "receiveTask",
        "callActivity", "subProcess", "transaction", "adHocSubProcess", "exclusiveGateway", "parallelGateway",
        "inclusiveGateway", "eventBasedGateway", "complexGateway",
    ]
    /// Children of a process that describe it rather than its flow.
    static let metadataKinds: Set<String> = ["documentation", "extensionElements", "ioSpecification", "property"]

    var process: XMLTreeElement
    var nodes: [FlowNode] = []
    var flows: [String: SequenceFlow] = [:]
    /// Sub-processes started by an event (`triggeredByEvent="true"`): goals and exits.
    var eventSubprocesses: [XMLTreeElement] = []
    /// Lanes, annotations, data objects: kept only to say they were not mapped.
    var others: [XMLTreeElement] = []
    private var index: [String: Int] = [:]

    init(process: XMLTreeElement, file: String) throws(BPMNError) {
        self.process = process
        var flowOrder: [SequenceFlow] = []
        for child in process.children {
            let kind = child.localName
            if kind == "sequenceFlow" {
                let flow = SequenceFlow(child)
                flows[flow.id] = flow
                flowOrder.append(flow)
            } else if kind == "subProcess", child.attribute("triggeredByEvent") == "true" {
                eventSubprocesses.append(child)
            } else if Self.flowNodeKinds.contains(kind), let id = child.attribute("id") {
                index[id] = nodes.count
                nodes.append(FlowNode(child, id: id))
            } else if !Self.metadataKinds.contains(kind) {
                others.append(child)
            }
        }
        for flow in flowOrder {
            for end in [flow.source, flow.target] where index[end] == nil {
                throw BPMNError(
                    .brokenReference, file: file, line: flow.line,
                    "sequence flow '\(flow.id)' refers to '\(end)', which is not a flow node of process "
                        + "'\(process.attribute("id") ?? "")'")
            }
        }
        for (position, node) in nodes.enumerated() {
            // The node's own <outgoing> order first (the order the modeler drew), then the rest.
            let listed = node.element.children("outgoing").map(\.trimmedText).filter { flows[$0]?.source == node.id }
            let rest = flowOrder.filter { $0.source == node.id && !listed.contains($0.id) }.map(\.id)
            nodes[position].outgoing = listed + rest
            if let attached = node.attachedTo, index[attached] == nil {
                throw BPMNError(
                    .brokenReference, file: file, line: node.line,
                    "boundary event '\(node.id)' is attached to '\(attached)', which does not exist")
            }
        }
    }

    func node(_ id: String) -> FlowNode? {
        index[id].map { nodes[$0] }
    }

    func outgoing(_ node: FlowNode) -> [SequenceFlow] {
        node.outgoing.compactMap { flows[$0] }
    }
}

struct FlowNode: Sendable {
    var element: XMLTreeElement
    var id: String
    var kind: String
    var name: String?
    var properties: ExtensionProperties
    var definition: EventDefinition?
    var outgoing: [String] = []

    init(_ element: XMLTreeElement, id: String) {
        self.element = element
        self.id = id
        kind = element.localName
        name = element.attribute("name").map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        properties = ExtensionProperties(element)
        definition = element.children.first { $0.localName.hasSuffix("EventDefinition") }.map(EventDefinition.init)
    }

    var line: Int { element.line }
    var attachedTo: String? { element.attribute("attachedToRef") }

    /// `bpmn:userTask id=Activity_1 name="Review"`: how comments name an element.
    var described: String { Self.describe(element) }

    static func describe(_ element: XMLTreeElement) -> String {
        var text = "bpmn:\(element.localName)"
        if let id = element.attribute("id") { text += " id=\(id)" }
        if let name = element.attribute("name")?.trimmingWhitespace(), !name.isEmpty { text += " name=\"\(name)\"" }
        return text
    }
}

struct SequenceFlow: Sendable {
    var id: String
    var source: String
    var target: String
    var condition: String?
    var properties: ExtensionProperties
    var line: Int

    init(_ element: XMLTreeElement) {
        id = element.attribute("id") ?? ""
        source = element.attribute("sourceRef") ?? ""
        target = element.attribute("targetRef") ?? ""
        let expression = element.child("conditionExpression").map { BPMNExpression.clean($0.text) }
        condition = expression.flatMap { $0.isEmpty ? nil : $0 }
        properties = ExtensionProperties(element)
        line = element.line
    }
}

enum EventDefinition: Sendable {
    case message(ref: String?)
    case timer(duration: String?, date: String?, cycle: String?)
    case conditional(String?)
    /// Signal, error, escalation, terminate, ...: the local name.
    case other(String)

    init(_ element: XMLTreeElement) {
        func text(_ local: String) -> String? {
            element.child(local).map(\.trimmedText).flatMap { $0.isEmpty ? nil : $0 }
        }
        switch element.localName {
        case "messageEventDefinition": self = .message(ref: element.attribute("messageRef"))
        case "timerEventDefinition":
            self = .timer(duration: text("timeDuration"), date: text("timeDate"), cycle: text("timeCycle"))
        case "conditionalEventDefinition": self = .conditional(text("condition"))
        default: self = .other(element.localName)
        }
    }
}

/// Writes a drawing as BPMN 2.0 XML with its diagram (BPMNDI), in the namespaces and element
/// order Camunda Modeler and bpmn.io write. Nudge settings go in `camunda:properties`, which
/// Camunda Modeler shows as "Extension properties".
enum BPMNRenderer {
    static let namespaces: [(String, String)] = [
        ("xmlns:bpmn", "http://www.omg.org/spec/BPMN/20100524/MODEL"),
        ("xmlns:bpmndi", "http://www.omg.org/spec/BPMN/20100524/DI"),
        ("xmlns:dc", "http://www.omg.org/spec/DD/20100524/DC"),
        ("xmlns:di", "http://www.omg.org/spec/DD/20100524/DI"),
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ("xmlns:camunda", "http://camunda.org/schema/1.0/bpmn"),
    ]

    static func render(_ drawing: ProcessDrawing) -> String {
        let layout = DiagramLayout(drawing)
        var process: [XMLOut] = []
        if let documentation = drawing.documentation {
            process.append(XMLOut("bpmn:documentation", text: documentation))
        }
        if let properties = extensionElements(drawing.properties) { process.append(properties) }
        process += drawing.nodes.map { node(in: drawing.flows, $0) }
        process += drawing.flows.map(flow)
        for subprocess in drawing.subprocesses {
            process.append(
                XMLOut(
                    "bpmn:subProcess",
                    [("id", subprocess.id), ("name", subprocess.name), ("triggeredByEvent", "true")],
                    children: subprocess.nodes.map { node(in: [subprocess.flow], $0) } + [flow(subprocess.flow)]))
        }
        var processAttributes = [("id", drawing.processId)]
        if let name = drawing.processName { processAttributes.append(("name", name)) }
        processAttributes.append(("isExecutable", "true"))
        let root = XMLOut(
            "bpmn:definitions",
            namespaces + [
                ("id", "Definitions_\(drawing.processId)"), ("targetNamespace", "http://bpmn.io/schema/bpmn"),
                ("exporter", "nudge"), ("exporterVersion", "1"),
            ],
            children: [XMLOut("bpmn:process", processAttributes, children: process)]
                + drawing.messages.map { XMLOut("bpmn:message", [("id", $0.id), ("name", $0.name)]) }
                + [diagram(drawing, layout)])
        return root.document
    }

    private static func extensionElements(_ properties: [NamedText]) -> XMLOut? {
        guard !properties.isEmpty else { return nil }
        let entries = properties.map { XMLOut("camunda:property", [("name", $0.name), ("value", $0.value)]) }
        return XMLOut("bpmn:extensionElements", children: [XMLOut("camunda:properties", children: entries)])
    }

    private static func node(in flows: [ProcessDrawing.Flow], _ node: ProcessDrawing.Node) -> XMLOut {
        var attributes = [("id", node.id)]
        if let name = node.name { attributes.append(("name", name)) }
        if node.interrupting { attributes.append(("isInterrupting", "true")) }
        if let defaultFlow = node.defaultFlow { attributes.append(("default", defaultFlow)) }
        var children: [XMLOut] = []
        if let properties = extensionElements(node.properties) { children.append(properties) }
        children += flows.filter { $0.target == node.id }.map { XMLOut("bpmn:incoming", text: $0.id) }
        children += flows.filter { $0.source == node.id }.map { XMLOut("bpmn:outgoing", text: $0.id) }
        let definitionId = "\(node.id)_definition"
        switch node.definition {
        case .message(let ref):
            children.append(XMLOut("bpmn:messageEventDefinition", [("id", definitionId), ("messageRef", ref)]))
        case .timer(let duration, let date):
            var timer: [XMLOut] = []
            if let duration { timer.append(formal("bpmn:timeDuration", duration)) }
            if let date { timer.append(formal("bpmn:timeDate", date)) }
            children.append(XMLOut("bpmn:timerEventDefinition", [("id", definitionId)], children: timer))
        case .conditional(let condition):
            children.append(
                XMLOut(
                    "bpmn:conditionalEventDefinition", [("id", definitionId)],
                    children: [formal("bpmn:condition", condition)]))
        case nil: break
        }
        return XMLOut("bpmn:\(node.kind.rawValue)", attributes, children: children)
    }

    private static func flow(_ flow: ProcessDrawing.Flow) -> XMLOut {
        var children: [XMLOut] = []
        if let properties = extensionElements(flow.properties) { children.append(properties) }
        if let condition = flow.condition { children.append(formal("bpmn:conditionExpression", condition)) }
        return XMLOut(
            "bpmn:sequenceFlow", [("id", flow.id), ("sourceRef", flow.source), ("targetRef", flow.target)],
            children: children)
    }

    private static func formal(_ name: String, _ text: String) -> XMLOut {
        XMLOut(name, [("xsi:type", "bpmn:tFormalExpression")], text: text)
    }

    private static func diagram(_ drawing: ProcessDrawing, _ layout: DiagramLayout) -> XMLOut {
        var elements: [XMLOut] = []
        let gateways = Set(drawing.nodes.filter { $0.kind == .exclusiveGateway }.map(\.id))
        let nodeIds = drawing.nodes.map(\.id) + drawing.subprocesses.flatMap { [$0.id] + $0.nodes.map(\.id) }
        let expanded = Set(drawing.subprocesses.map(\.id))
        for id in nodeIds {
            guard let bounds = layout.shapes[id] else { continue }
            var attributes = [("id", "\(id)_di"), ("bpmnElement", id)]
            if gateways.contains(id) { attributes.append(("isMarkerVisible", "true")) }
            if expanded.contains(id) { attributes.append(("isExpanded", "true")) }
            let box = XMLOut(
                "dc:Bounds",
                [
                    ("x", String(bounds.x)), ("y", String(bounds.y)), ("width", String(bounds.width)),
                    ("height", String(bounds.height)),
                ])
            elements.append(XMLOut("bpmndi:BPMNShape", attributes, children: [box]))
        }
        for flow in drawing.flows + drawing.subprocesses.map(\.flow) {
            guard let points = layout.edges[flow.id] else { continue }
            let waypoints = points.map { XMLOut("di:waypoint", [("x", String($0.x)), ("y", String($0.y))]) }
            elements.append(
                XMLOut("bpmndi:BPMNEdge", [("id", "\(flow.id)_di"), ("bpmnElement", flow.id)], children: waypoints))
        }
        return XMLOut(
            "bpmndi:BPMNDiagram", [("id", "BPMNDiagram_1")],
            children: [
                XMLOut(
                    "bpmndi:BPMNPlane", [("id", "BPMNPlane_1"), ("bpmnElement", drawing.processId)], children: elements)
            ])
    }
}

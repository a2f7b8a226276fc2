import EngineCore
import Foundation
import Testing

@testable import BPMN

@Suite("BPMN export")
struct ExportTests {
    static let flowNodeKinds = ProcessGraph.flowNodeKinds

    /// Every flow node (also inside sub-processes) has a shape, every sequence flow an edge with
    /// at least two waypoints, and every shape and edge points at an element that exists.
    static func checkDiagram(_ xml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let root = try XMLTreeParser.parse(Data(xml.utf8), file: "export.bpmn")
        #expect(root.localName == "definitions", sourceLocation: sourceLocation)
        #expect(root.namespace == BPMNImporter.modelNamespace, sourceLocation: sourceLocation)
        let process = try #require(root.child("process"), sourceLocation: sourceLocation)
        var nodes: [String] = []
        var flows: [String] = []
        func collect(_ element: XMLTreeElement) {
            for child in element.children {
                if child.localName == "sequenceFlow", let id = child.attribute("id") { flows.append(id) }
                if flowNodeKinds.contains(child.localName), let id = child.attribute("id") { nodes.append(id) }
                if child.localName == "subProcess" { collect(child) }
            }
        }
        collect(process)
        let plane = try #require(root.child("BPMNDiagram")?.child("BPMNPlane"), sourceLocation: sourceLocation)
        #expect(plane.attribute("bpmnElement") == process.attribute("id"), sourceLocation: sourceLocation)
        let shapes = plane.children("BPMNShape").compactMap { $0.attribute("bpmnElement") }
        let edges = plane.children("BPMNEdge")
        #expect(Set(shapes) == Set(nodes), sourceLocation: sourceLocation)
        #expect(Set(edges.compactMap { $0.attribute("bpmnElement") }) == Set(flows), sourceLocation: sourceLocation)
        for shape in plane.children("BPMNShape") {
            let bounds = try #require(shape.child("Bounds"), sourceLocation: sourceLocation)
            for key in ["x", "y", "width", "height"] {
                #expect(bounds.attribute(key).flatMap { Int($0) } != nil, sourceLocation: sourceLocation)
            }
        }
        for edge in edges {
            #expect(edge.children("waypoint").count >= 2, sourceLocation: sourceLocation)
        }
        #expect(Set(nodes).count == nodes.count, "duplicate ids", sourceLocation: sourceLocation)
    }

    @Test func draftApplicationReminderRule() throws {
        let file = Fixtures.repositoryRoot.appendingPathComponent("rules/draft-application-reminder.yaml").path
        let xml = try BPMNExporter.export(yaml: try String(contentsOfFile: file, encoding: .utf8), file: file)
        try Self.checkDiagram(xml)
        #expect(xml.contains("<bpmn:sendTask id=\"Activity_send_reminder\" name=\"Send reminder\">"))
        #expect(xml.contains("<camunda:property name=\"channel\" value=\"email\" />"))
        #expect(xml.contains("<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">P14D</bpmn:timeDuration>"))
        #expect(xml.contains("<bpmn:subProcess id=\"Goal_1\""))
        #expect(xml.contains("<bpmn:message id=\"Message_1\" name=\"Application Status Changed\" />"))
    }

    /// Every rule in rules/ exports to a diagram, and the drawing imports back to a scenario that
    /// loads, with the same trigger, goals and exits.
    @Test func everyRuleExportsAndImportsBack() throws {
        for url in try Fixtures.ruleFiles() {
            let yaml = try String(contentsOf: url, encoding: .utf8)
            let original = try Fixtures.load(yaml, file: url.path)
            let xml = try BPMNExporter.export(yaml: yaml, file: url.path)
            try Self.checkDiagram(xml)
            let draft = try BPMNImporter.importProcess(xml: xml, file: url.lastPathComponent)
            #expect(draft.skipped == [], "\(url.lastPathComponent): \(draft.skipped)")
            let imported = try Fixtures.load(draft.yaml, file: url.lastPathComponent)
            #expect(imported.id == original.id && imported.version == original.version)
            #expect(imported.goals.map(\.event) == original.goals.map(\.event))
            #expect(imported.exits.map(\.event) == original.exits.map(\.event))
            #expect(imported.steps.count >= original.steps.count, "\(url.lastPathComponent)")
            #expect(imported.params.keys.sorted() == original.params.keys.sorted())
            #expect(imported.vars.map(\.name) == original.vars.map(\.name))
        }
    }

    @Test func invalidScenarioIsNotExported() throws {
        do throws(BPMNError) {
            _ = try BPMNExporter.export(
                yaml: "id: x\nversion: 1\ntrigger: {event: A}\nsteps: {a: {wait: 3x}}\n", file: "x.yaml")
            Issue.record("exported an invalid scenario")
        } catch {
            #expect(error.code == .invalidScenario)
            #expect(error.details.first?.hasPrefix("x.yaml:4:") == true, "\(error.details)")
        }
    }

    @Test func backEdgesAndBranchesAreLaidOutLeftToRight() throws {
        let yaml = """
            id: loop
            version: 1
            trigger:
              event: Signed Up
            steps:
              check:
                branch:
                  - when: profile.verified == true
                    next: welcome
                otherwise: later
              later:
                wait: 1d
                next: check
              welcome:
                send:
                  channel: email
                  template: welcome
            """
        let xml = try BPMNExporter.export(yaml: yaml, file: "loop.yaml")
        try Self.checkDiagram(xml)
        let drawing = DrawingBuilder.drawing(of: try ScenarioDraftReader.read(yaml: yaml, file: "loop.yaml"))
        let layout = DiagramLayout(drawing)
        let start = try #require(layout.shapes[drawing.startId])
        let check = try #require(layout.shapes["Gateway_check"])
        let welcome = try #require(layout.shapes["Activity_welcome"])
        #expect(start.x < check.x && check.x < welcome.x)
        let back = try #require(drawing.flows.first { $0.source == "Event_later" })
        let points = try #require(layout.edges[back.id])
        #expect(points.count == 4)
        #expect(points[1].y > max(check.bottom, welcome.bottom))
    }
}

import EngineCore
import Testing

@testable import BPMN

/// import -> export -> import gives the same scenario: the second import's YAML equals the first.
let roundTripFixtures = ["draft-application-reminder.bpmn", "order-follow-up.bpmn", "unsupported-elements.bpmn"]

@Suite("BPMN round trip")
struct RoundTripTests {
    @Test(arguments: roundTripFixtures)
    func importExportImport(_ name: String) throws {
        let first = try Fixtures.importFixture(name)
        let xml = BPMNExporter.export(first)
        try ExportTests.checkDiagram(xml)
        let second = try BPMNImporter.importProcess(xml: xml, file: name)
        #expect(second.structure == first.structure)
        #expect(second.skipped == [])
        // Equal text but for the comments on what the first file had and the second has not.
        #expect(Self.withoutComments(second.yaml) == Self.withoutComments(first.yaml))
        try Fixtures.load(second.yaml, file: name)
        // And the exported drawing of the second import is the same drawing.
        #expect(BPMNExporter.export(second) == xml)
    }

    /// Rules written by hand go round once through BPMN and then stay put.
    @Test func ruleFilesAreStableAfterTheFirstTrip() throws {
        for url in try Fixtures.ruleFiles() {
            let yaml = try String(contentsOf: url, encoding: .utf8)
            let first = try BPMNImporter.importProcess(
                xml: try BPMNExporter.export(yaml: yaml, file: url.path), file: url.lastPathComponent)
            let second = try BPMNImporter.importProcess(
                xml: try BPMNExporter.export(yaml: first.yaml, file: url.lastPathComponent),
                file: url.lastPathComponent)
            #expect(second.yaml == first.yaml, "\(url.lastPathComponent)")
        }
    }

    static func withoutComments(_ yaml: String) -> String {
        yaml.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingWhitespace().hasPrefix("#") }.joined(separator: "\n")
    }
}

import EngineCore
import Foundation
import Testing

@testable import BPMN

enum Fixtures {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func path(_ name: String) -> String {
        let bundled = Bundle.module.resourceURL?.appendingPathComponent("Fixtures").appendingPathComponent(name)
        if let bundled, FileManager.default.fileExists(atPath: bundled.path) { return bundled.path }
        return repositoryRoot.appendingPathComponent("Tests/BPMNTests/Fixtures").appendingPathComponent(name).path
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    static func importFixture(_ name: String) throws -> ScenarioDraft {
        try BPMNImporter.importProcess(xml: try text(name), file: name)
    }

    /// The scenario files in rules/ (not the policy).
    static func ruleFiles() throws -> [URL] {
        let rules = repositoryRoot.appendingPathComponent("rules")
        return try FileManager.default.contentsOfDirectory(at: rules, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" && $0.lastPathComponent != "policy.yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Loads YAML with the real scenario loader, failing the test with every error.
    @discardableResult
    static func load(_ yaml: String, file: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
        -> Scenario
    {
        switch ScenarioLoader.load(yaml: yaml, file: file) {
        case .success(let scenario): return scenario
        case .failure(let errors):
            Issue.record("\(file) does not load:\n\(errors)\n---\n\(yaml)", sourceLocation: sourceLocation)
            throw errors
        }
    }
}

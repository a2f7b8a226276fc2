import Foundation

@testable import EngineCore

/// Shared helpers: the sample rules in `rules/`, fixtures, and compact event builders.
enum TestSupport {
    /// The repository root, found from this file (symlinks resolved, so it also works from a
    /// package that links the sources in).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var rulesDirectory: String { repositoryRoot.appendingPathComponent("rules").path }

    static func fixturePath(_ relative: String) -> String {
        let bundled = Bundle.module.resourceURL?.appendingPathComponent("Fixtures").appendingPathComponent(relative)
        if let bundled, FileManager.default.fileExists(atPath: bundled.path) { return bundled.path }
        return repositoryRoot.appendingPathComponent("Tests/EngineCoreTests/Fixtures").appendingPathComponent(relative)
            .path
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// A sample scenario from `rules/<name>.yaml`.
    static func sample(_ name: String) throws -> Scenario {
        let path = rulesDirectory + "/\(name).yaml"
        return try ScenarioLoader.load(yaml: try read(path), file: path).get()
    }

    static func engine(samples names: [String]) throws -> ScenarioEngine {
        ScenarioEngine(catalog: try ScenarioCatalog(names.map { try sample($0) }))
    }

    static func engine(yaml: String...) throws -> ScenarioEngine {
        ScenarioEngine(catalog: try ScenarioCatalog(yaml.map { try scenario($0) }))
    }

    static func scenario(_ yaml: String, file: String = "test.yaml") throws -> Scenario {
        try ScenarioLoader.load(yaml: yaml, file: file).get()
    }

    /// Errors of a YAML text that is expected not to load.
    static func errors(_ yaml: String, file: String = "test.yaml") -> [RuleError] {
        switch ScenarioLoader.load(yaml: yaml, file: file) {
        case .success: return []
        case .failure(let errors): return errors.errors
        }
    }

    static func at(_ iso: String) -> Timestamp {
        guard let timestamp = ISO8601.parse(iso) else { fatalError("bad timestamp in test: \(iso)") }
        return timestamp
    }

    static func track(
        _ name: String, user: String = "u1", _ properties: [String: Value] = [:], at time: String, id: String? = nil
    ) -> Event {
        Event(
            name: name, messageId: id ?? "\(name)|\(user)|\(time)|\(properties.count)", userId: user,
            properties: properties, timestamp: at(time))
    }

    static func identify(user: String = "u1", _ traits: [String: Value], at time: String) -> Event {
        Event(
            kind: .identify, name: "", messageId: "identify|\(user)|\(time)", userId: user, traits: traits,
            timestamp: at(time))
    }

    static func run(_ engine: ScenarioEngine, _ events: [Event], horizon: TimeSpan = .days(60)) -> Simulator {
        Simulator.run(engine: engine, events: events, horizon: horizon)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Simulator {
    func entries(_ kind: TimelineEntry.Kind, customer: String? = nil) -> [TimelineEntry] {
        timeline.filter { $0.kind == kind && (customer == nil || $0.customerId == customer) }
    }

    var sends: [TimelineEntry] { entries(.send) }
    var ends: [TimelineEntry] { entries(.end) }
}

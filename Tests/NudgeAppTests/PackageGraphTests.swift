import Foundation
import Testing

/// The engine, the dispatcher, the API and the timeline recorder are separate processes that meet
/// only in records (NudgeRecords, the ledger, Kafka topics): none of their targets may depend on
/// another, and the pure core and the shared records depend on nothing of the processes. Read
/// from the manifest as SwiftPM evaluates it (`swift package dump-package`).
@Suite("Package graph")
struct PackageGraphTests {
    static let processTargets: Set<String> = ["Engine", "Dispatcher", "API", "Timeline"]
    /// The bottom of the graph and what each may depend on among the package's own targets.
    static let bottom: [String: Set<String>] = [
        "EngineCore": [], "NudgeRecords": ["EngineCore"], "ProcessSupport": ["EngineCore"],
        "RuleFileReader": ["EngineCore"], "BPMN": ["EngineCore"],
    ]
    /// Tools that read what the processes leave (topics) and may use only the core and the adapters,
    /// never a process target: what each may depend on among the package's own targets.
    static let tools: [String: Set<String>] = [
        "Backtest": ["EngineCore", "Ingest", "NudgeKafka"]
    ]

    /// Each regular target's dependencies on targets of this package.
    static func graph() throws -> [String: Set<String>] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A scratch path of its own: `swift test` holds the lock of .build while this runs.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-dump-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.arguments = [
            "swift", "package", "--package-path", root.path, "--scratch-path", scratch.path, "dump-package",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let targets = manifest["targets"] as? [[String: Any]]
        else { throw ManifestUnreadable(status: process.terminationStatus) }

        let own = Set(targets.compactMap { $0["name"] as? String })
        var graph: [String: Set<String>] = [:]
        for target in targets where target["type"] as? String == "regular" {
            guard let name = target["name"] as? String else { continue }
            let dependencies = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                ((dependency["byName"] ?? dependency["target"]) as? [Any])?.first as? String
            }
            graph[name] = Set(dependencies).intersection(own)
        }
        return graph
    }

    struct ManifestUnreadable: Error, CustomStringConvertible {
        var status: Int32
        var description: String { "swift package dump-package failed (exit \(status))" }
    }

    @Test func noProcessTargetDependsOnAnother() throws {
        let graph = try Self.graph()
        #expect(Self.processTargets.isSubset(of: graph.keys), "\(graph.keys.sorted())")
        for process in Self.processTargets.sorted() {
            let edges = graph[process, default: []].intersection(Self.processTargets)
            #expect(edges.isEmpty, "\(process) depends on \(edges.sorted())")
        }
    }

    @Test func theCoreAndTheSharedRecordsAreAtTheBottom() throws {
        let graph = try Self.graph()
        for (target, allowed) in Self.bottom {
            let dependencies = try #require(graph[target], "no target \(target)")
            #expect(dependencies.isSubset(of: allowed), "\(target) depends on \(dependencies.subtracting(allowed))")
        }
    }

    @Test func theBacktestStandsOnTheCoreAndTheAdaptersOnly() throws {
        let graph = try Self.graph()
        for (target, allowed) in Self.tools {
            let dependencies = try #require(graph[target], "no target \(target)")
            #expect(dependencies.isSubset(of: allowed), "\(target) depends on \(dependencies.subtracting(allowed))")
        }
    }
}

import Foundation
import Testing

/// A `nudge engine` (or `nudge dispatch`) child process, so tests can kill it like a crash would
/// (SIGKILL).
final class EngineProcess: @unchecked Sendable {
    let process = Process()
    let logFile: URL

    /// The `nudge` binary built beside the test bundle (`swift build` builds both).
    static var binary: URL {
        get throws {
            if let override = ProcessInfo.processInfo.environment["NUDGE_BINARY"] { return URL(fileURLWithPath: override) }
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("nudge")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../../.build/debug/nudge").standardized
            guard FileManager.default.isExecutableFile(atPath: fromSource.path) else {
                throw TestFailure("nudge binary not found next to \(CommandLine.arguments[0]); run swift build first")
            }
            return fromSource
        }
    }

    init(environment: [String: String], label: String, command: String = "engine") throws {
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-\(command)-\(label)-\(UUID().uuidString.prefix(6)).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.executableURL = try Self.binary
        process.arguments = [command]
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Fails with the process's log when it has exited on its own (bad configuration, crash).
    func checkRunning() throws {
        guard !process.isRunning else { return }
        throw TestFailure("nudge \(process.arguments?.first ?? "") exited with status \(process.terminationStatus):\n\(log.suffix(3000))")
    }

    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The ephemeral port the child's HTTP server reported.
    var listeningPort: Int? {
        guard let range = log.range(of: "listening on 127.0.0.1:") else { return nil }
        return Int(log[range.upperBound...].prefix(while: \.isNumber))
    }

    /// Partitions of the latest "partitions assigned" line in the log.
    var assignedPartitions: Set<Int>? {
        guard let line = log.split(separator: "\n").last(where: { $0.contains("partitions assigned") }) else { return nil }
        var partitions = Set<Int>()
        var rest = Substring(line)
        while let open = rest.range(of: ".events[") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: "]"), let number = Int(rest[..<close]) else { break }
            partitions.insert(number)
            rest = rest[close...]
        }
        return partitions
    }
}

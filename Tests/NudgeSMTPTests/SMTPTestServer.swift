import Foundation
import NudgeTestSupport
import Testing

/// Runs Fixtures/smtp_server.py (aiosmtpd) on a free loopback port for one test.
final class SMTPTestServer: Sendable {
    enum Mode: String { case tls, plain, silent }

    struct Received: Decodable {
        let mail_from: String
        let rcpt_tos: [String]
        let tls: Bool
        let authenticated: Bool
        let content: String
    }

    let port: Int
    let directory: URL
    private let process: Process

    init(_ mode: Mode) async throws {
        port = try FreePort.find()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-smtp-\(UUID().uuidString.prefix(8))")
        let script = try #require(Bundle.module.url(forResource: "smtp_server", withExtension: "py", subdirectory: "Fixtures"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, directory.path, "\(port)", mode.rawValue]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let ready = directory.appendingPathComponent("ready")
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: ready.path) {
            guard ContinuousClock.now < deadline, process.isRunning else {
                process.terminate()
                throw ServerDidNotStart(mode: mode.rawValue)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    var certificateFile: String { directory.appendingPathComponent("cert.pem").path }

    func received() throws -> [Received] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        return try files.sorted().map {
            try JSONDecoder().decode(Received.self, from: Data(contentsOf: directory.appendingPathComponent($0)))
        }
    }

    func stop() {
        // SIGKILL: the child may have inherited a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    struct ServerDidNotStart: Error { let mode: String }
}

extension SMTPTestServer {
    /// A loopback port nothing listens on.
    static func unusedPort() throws -> Int { try FreePort.find() }
}

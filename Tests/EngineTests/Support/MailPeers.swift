import Foundation
import NudgeTestSupport
import Testing

/// The mail servers of email tests, all Debian's aiosmtpd: the test SMTP server of the NudgeSMTP
/// tests (recipients starting with `reject` get 550 5.1.1; every accepted message is a JSON
/// file), and a plain Maildir sink standing for the MTA that delivers the return address's mail.
final class MailPeer: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: Process

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private init(arguments: [String], port: Int, directory: URL) async throws {
        self.port = port
        self.directory = directory
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(15)
        while !Self.listening(port) {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw TestFailure("aiosmtpd did not listen on \(port): \(arguments)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Tests/NudgeSMTPTests/Fixtures/smtp_server.py in plain mode.
    static func smtpServer() async throws -> MailPeer {
        let port = try FreePort.find()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nudge-smtp-\(UUID().uuidString.prefix(8))")
        let script = repository.appendingPathComponent("Tests/NudgeSMTPTests/Fixtures/smtp_server.py").path
        return try await MailPeer(
            arguments: [script, directory.path, String(port), "plain"], port: port, directory: directory)
    }

    /// aiosmtpd's Mailbox handler: every message as a file in `directory/new`.
    static func maildirSink() async throws -> MailPeer {
        let port = try FreePort.find()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nudge-bounces-\(UUID().uuidString.prefix(8))")
        return try await MailPeer(
            arguments: [
                "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", directory.path,
            ],
            port: port, directory: directory)
    }

    func stop() {
        // SIGKILL: the child inherits the test thread's signal mask, which may block SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The raw content of the messages the test SMTP server accepted, oldest first.
    func accepted() throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        return try files.sorted { Int($0.dropLast(5)) ?? 0 < Int($1.dropLast(5)) ?? 0 }.map { file in
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            let record = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return record?["content"] as? String ?? ""
        }
    }

    /// Submits `message` over SMTP with the null sender, as a mail server sends a bounce.
    func submitFromMailerDaemon(_ message: String, to recipient: String) throws {
        let submit = Process()
        submit.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        submit.arguments = [
            "-c",
            "import smtplib, sys; s = smtplib.SMTP('127.0.0.1', \(port)); "
                + "s.sendmail('', [sys.argv[1]], sys.stdin.buffer.read()); s.quit()",
            recipient,
        ]
        let input = Pipe()
        submit.standardInput = input
        try submit.run()
        // smtplib sends bytes as they are: the lines must end in CRLF already.
        let crlf = message.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        input.fileHandleForWriting.write(Data(crlf.utf8))
        try input.fileHandleForWriting.close()
        submit.waitUntilExit()
        guard submit.terminationStatus == 0 else { throw TestFailure("submitting the bounce failed") }
    }

    static func listening(_ port: Int) -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/bin/bash")
        probe.arguments = ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"]
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
            probe.waitUntilExit()
            return probe.terminationStatus == 0
        } catch {
            return false
        }
    }
}

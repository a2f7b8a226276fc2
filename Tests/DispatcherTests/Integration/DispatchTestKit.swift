import Dispatcher
import Engine
import EngineCore
import Feedback
import Foundation
import SharedStores
import NudgeRecords
import ProcessSupport
import Logging
import MessageTemplates
import NudgeRedis
import NudgeTestSupport

/// Real Redis (scripts/stack.sh) under a key prefix of the test's own, the repository's
/// templates, and outbound messages as the engine writes them.
struct DispatchTestKit: Sendable {
    let prefix = "dispatch-test-\(UUID().uuidString.prefix(8).lowercased())"
    let redis: RedisClient
    let templates: TemplateCatalog
    let links = TrackingLinks(
        baseURL: "https://t.example.com", signer: TrackingTokenSigner(secret: "dispatch-test-secret-0123456789"))
    let logger: Logger

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    init() throws {
        let env = ProcessInfo.processInfo.environment
        var logger = Logger(label: "nudge.tests.dispatch")
        logger.logLevel = .warning
        self.logger = logger
        redis = RedisClient(
            config: RedisConfig(
                host: env["NUDGE_REDIS_HOST"] ?? "127.0.0.1", port: env["NUDGE_REDIS_PORT"].flatMap(Int.init) ?? 16379),
            logger: logger)
        templates = try TemplateCatalog.load(
            directory: Self.repository.appendingPathComponent("connectors/templates").path)
    }

    var ledger: DispatchLedger { DispatchLedger(redis: redis, keyPrefix: prefix) }

    func dispatcher(channel: String, routes: [ConnectorRoute]) -> MessageDispatcher {
        MessageDispatcher(
            renderer: MessageRenderer(templates: templates, links: links),
            chains: [channel: ConnectorChain(routes: routes, rateLimiter: nil, logger: logger)], ledger: ledger,
            logger: logger)
    }

    /// An outbound record as the engine produces it.
    static func outbound(
        id: String = "msg-\(UUID().uuidString.prefix(8))", customer: String = "c-1", channel: String, template: String,
        variables: [String: Value], profile: [String: Value], policy: String = "sent", subscription: String? = nil
    ) throws -> OutboundMessage {
        var object: [String: Value] = [
            "message_id": .string(id), "customer_id": .string(customer), "channel": .string(channel),
            "template": .string(template), "variables": .object(variables), "priority": 50, "transactional": false,
            "scenario": "tests", "scenario_version": 1, "step": "send", "instance": "i-1",
            "created_at": .int(1_795_000_000_000), "policy": .string(policy),
            "profile": .object(profile),
        ]
        if let subscription { object["subscription"] = .string(subscription) }
        return try JSONDecoder().decode(OutboundMessage.self, from: JSONEncoder().encode(Value.object(object)))
    }
}

/// Debian's aiosmtpd as the test's own SMTP server, keeping every message in a Maildir.
final class MailSink: Sendable {
    let port: Int
    let directory: URL
    private let process: Process

    init() async throws {
        port = try FreePort.find()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nudge-mail-\(UUID().uuidString.prefix(8))")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", directory.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(15)
        while !Self.listening(port), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
    }

    func stop() {
        // SIGKILL: the child inherits the test thread's signal mask, which may block SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The raw messages received so far.
    func messages() throws -> [String] {
        let new = directory.appendingPathComponent("new")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: new.path)) ?? []
        return try files.sorted().map { try String(contentsOf: new.appendingPathComponent($0), encoding: .utf8) }
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

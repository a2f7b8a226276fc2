import Engine
import EngineCore
import Foundation
import NudgeRecords
import ProcessSupport
import Synchronization
import Testing

@testable import Dispatcher

/// The dispatcher's pure pieces, tested without servers: everything under this suite runs with
/// `swift test --filter DispatcherTests.Unit`.
@Suite("Dispatcher unit tests")
enum Unit {}

extension Unit {
    /// An outbound record as the engine writes it on the outbound topic (snake_case keys,
    /// `created_at` in epoch milliseconds), decoded the way the dispatcher decodes it.
    static func outbound(
        messageId: String = "m-1", customerId: String = "c-1", channel: String = "email", template: String = "welcome",
        variables: [String: Value] = [:], profile: [String: Value]? = ["email": "ada@example.com"],
        subscription: String? = "newsletter", policy: String = "sent"
    ) throws -> OutboundMessage {
        var record: [String: Value] = [
            "message_id": .string(messageId), "customer_id": .string(customerId), "channel": .string(channel),
            "template": .string(template), "variables": .object(variables), "priority": 5, "transactional": false,
            "scenario": "onboarding", "scenario_version": 3, "step": "send_welcome", "instance": "i-1",
            "created_at": 1_714_557_600_000, "policy": .string(policy),
        ]
        if let subscription { record["subscription"] = .string(subscription) }
        if let profile { record["profile"] = .object(profile) }
        let json = Data(Value.object(record).jsonText.utf8)
        return try JSONDecoder().decode(OutboundMessage.self, from: json)
    }

    static func rendered(_ message: OutboundMessage) -> RenderedMessage {
        RenderedMessage(message: message, parts: ["text": "Hello"], context: [:])
    }

    /// A fresh directory under the system's temporary directory holding `files`.
    static func directory(with files: [String: String]) throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("nudge-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: (path as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return path
    }

    /// The repository root, found from this file's place in it (`Tests/DispatcherTests/Unit/`).
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// A connector that plays back scripted answers (the last one repeats) and counts its calls.
    final class ScriptedConnector: MessageConnector {
        let name: String
        private let state: Mutex<(script: [Result<DeliveryReceipt, DeliveryFailure>], recipients: [String?])>

        init(_ name: String, answers: [Result<DeliveryReceipt, DeliveryFailure>]) {
            self.name = name
            self.state = Mutex((answers, []))
        }

        var calls: Int { state.withLock { $0.recipients.count } }
        var recipients: [String?] { state.withLock { $0.recipients } }

        func deliver(_ message: RenderedMessage, recipient: String?) async throws(DeliveryFailure) -> DeliveryReceipt {
            let answer = state.withLock { state in
                state.recipients.append(recipient)
                return state.script.count > 1 ? state.script.removeFirst() : state.script.first
            }
            guard let answer else { throw .permanent("script is empty") }
            return try answer.get()
        }
    }

    /// Collects what a `@Sendable` closure saw.
    final class Recorder<Element: Sendable>: Sendable {
        private let items = Mutex<[Element]>([])
        func append(_ item: Element) { items.withLock { $0.append(item) } }
        var all: [Element] { items.withLock { $0 } }
    }
}

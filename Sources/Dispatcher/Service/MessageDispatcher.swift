import NudgeRecords
import ProcessSupport
import EngineCore
import SharedStores
import Feedback
import Foundation
import Logging

/// What happens to one outbound record: the policy's other decisions are logged; a message to
/// send is claimed in the ledger (a replay finds it done and stops there), rendered, addressed
/// and handed to its channel's connector chain; the outcome goes to the ledger and the log.
public struct MessageDispatcher: Sendable {
    let renderer: MessageRenderer
    /// Connector chains by channel.
    let chains: [String: ConnectorChain]
    let ledger: DispatchLedger
    /// Where a provider's refusal at send time goes as feedback (nil: only logged).
    let feedback: FeedbackPublisher?
    let metrics: DispatchMetrics
    let logger: Logger
    let now: @Sendable () -> Timestamp

    public init(
        renderer: MessageRenderer, chains: [String: ConnectorChain], ledger: DispatchLedger,
        feedback: FeedbackPublisher? = nil, metrics: DispatchMetrics = DispatchMetrics(), logger: Logger,
        now: @escaping @Sendable () -> Timestamp = { .wallClock() }
    ) {
        self.renderer = renderer
        self.chains = chains
        self.ledger = ledger
        self.feedback = feedback
        self.metrics = metrics
        self.logger = logger
        self.now = now
    }

    /// Handles one message and returns its message-log entries. Throws only when the ledger
    /// (Redis) is unreachable: the batch is then retried, and the ledger keeps the retry from
    /// sending anything twice. `record` is the message as read from Kafka, kept with a held
    /// message for an operator to release (nil: the message encoded again).
    public func dispatch(_ message: OutboundMessage, record: [UInt8]? = nil) async throws -> [MessageLogEntry] {
        func entry(
            _ status: MessageStatus, reason: String? = nil, connector: String? = nil, providerId: String? = nil,
            at: Timestamp? = nil, key: String? = nil, detail: [String: String] = [:]
        ) -> MessageLogEntry {
            logEntry(
                message, status, reason: reason, connector: connector, providerId: providerId, at: at, key: key,
                detail: detail)
        }

        if message.policy.hasPrefix("suppressed:") {
            metrics.count(connector: "none", status: .suppressed)
            return [
                entry(.suppressed, reason: String(message.policy.dropFirst("suppressed:".count)), at: message.createdAt)
            ]
        }
        if message.policy.hasPrefix("deferred:") {
            return [
                entry(
                    .deferred, reason: String(message.policy.dropFirst("deferred:".count)), at: message.createdAt,
                    key: "deferred@\(message.createdAt.milliseconds)")
            ]
        }
        guard message.policy == "sent" else {
            return [entry(.failed, reason: "unknown policy decision \(message.policy)", at: message.createdAt)]
        }

        let queued = entry(.queued, at: message.createdAt)
        let begin = try await ledger.begin(
            messageId: message.messageId, customerId: message.customerId, channel: message.channel,
            scenario: message.scenario, step: message.step, topic: message.subscription)
        let attempt: Int
        switch begin {
        case .done(let done):
            // A replay: the provider already has it (or it failed for good). Log what the ledger
            // knows, in case the crash came before the log write; call nobody.
            metrics.replaysSkipped.increment()
            let status: MessageStatus =
                switch done.status {
                case .sent: .sent
                case .held: .held
                case .dropped: .unknown
                // `begin` proceeds with a released message: never done.
                case .sending, .handingOver, .failed, .released: .failed
                }
            return [
                queued,
                entry(status, reason: done.reason, connector: done.connector, providerId: done.providerMessageId),
            ]
        case .proceed(let number):
            attempt = number
        case .interrupted(let interrupted):
            let connector = interrupted.connector ?? "none"
            let policy = onUnknown(connector: connector)
            metrics.countUnknownOutcome(connector: connector, policy: policy)
            logger.warning(
                "dispatch interrupted while handing the message over; applying on_unknown",
                metadata: [
                    DispatchLogKeys.messageId: "\(message.messageId)",
                    DispatchLogKeys.customerId: "\(message.customerId)",
                    DispatchLogKeys.connector: "\(connector)", DispatchLogKeys.status: "\(policy.rawValue)",
                ])
            guard policy != .resend else {
                attempt = try await ledger.resend(messageId: message.messageId)
                break
            }
            let held = policy == .hold
            let reason =
                "outcome unknown: a dispatcher stopped while handing it to \(connector); "
                + (held ? "held, not sent again (on_unknown: hold)" : "dropped, not sent again (on_unknown: drop)")
            if held {
                try await ledger.hold(
                    messageId: message.messageId, connector: connector, reason: reason,
                    record: try record ?? Array(JSONEncoder().encode(message)), at: now())
            } else {
                try await ledger.complete(
                    messageId: message.messageId, status: .dropped, connector: connector, providerMessageId: nil,
                    reason: reason)
            }
            metrics.count(connector: connector, status: held ? .held : .unknown)
            return [
                queued,
                entry(
                    held ? .held : .unknown, reason: reason, connector: connector,
                    detail: ["attempts": String(interrupted.attempts)]),
            ]
        }

        let rendered: RenderedMessage
        do {
            rendered = try renderer.render(message)
        } catch {
            return [queued, try await fail(message, reason: error.reason)]
        }
        guard let chain = chains[message.channel] else {
            return [queued, try await fail(message, reason: "no connector for channel \(message.channel)")]
        }

        let context = Value.object(rendered.context)
        let ledger = self.ledger
        let messageId = message.messageId
        let outcome = try await chain.deliver(
            rendered,
            recipient: { config in
                guard let path = config.recipient else { return .notNeeded }
                guard let parsed = try? JSONPath(path), let address = parsed.text(in: context), !address.isEmpty else {
                    return .missing(path: path)
                }
                return .address(address)
            },
            handingOver: { config in try await ledger.markHandingOver(messageId: messageId, connector: config.name) })
        var detail: [String: String] = ["attempts": String(outcome.attempts)]
        if let fellBack = outcome.fellBackFrom {
            detail["fallback_from"] = fellBack.connector
            detail["fallback_reason"] = fellBack.reason
        }
        if attempt > 1 { detail["resumed_after_interruption"] = "true" }
        switch outcome.result {
        case .sent(let receipt):
            FailPoint.afterProviderCall.check()
            try await recordingProviderOutcome(message) {
                try await ledger.complete(
                    messageId: message.messageId, status: .sent, connector: outcome.connector,
                    providerMessageId: receipt.providerMessageId, reason: nil)
            }
            metrics.count(connector: outcome.connector, status: .sent)
            return [
                queued,
                entry(.sent, connector: outcome.connector, providerId: receipt.providerMessageId, detail: detail),
            ]
        case .failed(let failure):
            logger.warning(
                "message not delivered",
                metadata: [
                    DispatchLogKeys.messageId: "\(message.messageId)",
                    DispatchLogKeys.customerId: "\(message.customerId)",
                    DispatchLogKeys.connector: "\(outcome.connector)", DispatchLogKeys.error: "\(failure.reason)",
                ])
            // Before the ledger: a crash in between replays the send, and the repeat has the same
            // feedback id. After it, a replay would find the message done and the feedback lost.
            if let refusal = failure.refusal, let feedback {
                try await feedback.publish([
                    refusalFeedback(message, refusal, connector: outcome.connector, reason: failure.reason)
                ])
            }
            try await recordingProviderOutcome(message) {
                try await ledger.complete(
                    messageId: message.messageId, status: .failed, connector: outcome.connector, providerMessageId: nil,
                    reason: failure.reason)
            }
            metrics.count(connector: outcome.connector, status: .failed)
            return [queued, entry(.failed, reason: failure.reason, connector: outcome.connector, detail: detail)]
        }
    }

    /// What a provider answered is known only here: when the ledger cannot take it (Redis down
    /// or restarting) the write is retried until it can, rather than left for a replay that would
    /// find the message mid-hand-over and hold or resend it. Only cancellation (shutdown) stops it.
    private func recordingProviderOutcome(_ message: OutboundMessage, _ write: () async throws -> Void) async throws {
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                return try await write()
            } catch {
                try Task.checkCancellation()
                logger.warning(
                    "dispatch ledger unavailable; retrying the outcome",
                    metadata: [DispatchLogKeys.messageId: "\(message.messageId)", DispatchLogKeys.error: "\(error)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            }
        }
    }

    /// The `on_unknown` of the connector an interrupted hand-over went to; hold when it is no
    /// longer configured (nothing is sent twice on a guess).
    private func onUnknown(connector: String) -> ConnectorConfig.OnUnknown {
        chains.values.lazy.flatMap(\.routes).first { $0.config.name == connector }?.config.onUnknown ?? .hold
    }

    /// A provider's refusal as the feedback event its callback would have sent: a hard bounce
    /// suppresses the channel for the customer, and scenarios can wait on either.
    private func refusalFeedback(
        _ message: OutboundMessage, _ refusal: DeliveryFailure.Refusal, connector: String, reason: String
    ) -> FeedbackEvent {
        FeedbackEvent(
            status: refusal == .hardBounce ? .bounced : .failed, messageId: message.messageId,
            customerId: message.customerId, channel: message.channel, connector: connector, at: now(), reason: reason,
            bounceType: refusal == .hardBounce ? "hard" : nil)
    }

    /// A message that cannot reach any provider (no template, no connector): final at once.
    private func fail(_ message: OutboundMessage, reason: String) async throws -> MessageLogEntry {
        logger.warning(
            "message failed before any provider",
            metadata: [
                DispatchLogKeys.messageId: "\(message.messageId)", DispatchLogKeys.customerId: "\(message.customerId)",
                DispatchLogKeys.error: "\(reason)",
            ])
        try await ledger.complete(
            messageId: message.messageId, status: .failed, connector: "none", providerMessageId: nil, reason: reason)
        metrics.count(connector: "none", status: .failed)
        return logEntry(message, .failed, reason: reason)
    }

    private func logEntry(
        _ message: OutboundMessage, _ status: MessageStatus, reason: String? = nil, connector: String? = nil,
        providerId: String? = nil, at: Timestamp? = nil, key: String? = nil, detail: [String: String] = [:]
    ) -> MessageLogEntry {
        MessageLogEntry(
            messageId: message.messageId, customerId: message.customerId, message: MessageLogEntry.Message(message),
            status: status, reason: reason, connector: connector, providerMessageId: providerId, at: at ?? now(),
            entryKey: key, detail: detail)
    }
}

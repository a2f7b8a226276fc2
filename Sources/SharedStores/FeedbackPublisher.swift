import EngineCore
import Feedback
import Foundation
import Logging
import NudgeKafka

/// Turns provider callbacks and tracked opens/clicks into feedback events on the feedback topic,
/// keyed by customer (so each lands on its customer's partition, beside the events). The engine
/// consumes that topic like any other; the message log service records the statuses.
public struct FeedbackPublisher: Sendable {
    public struct Summary: Sendable, Equatable {
        /// Feedback events produced.
        public var accepted = 0
        /// Provider statuses the mapping does not track (e.g. `queued`).
        public var ignored = 0
        /// Items about messages the ledger does not know (expired, or not ours).
        public var unknown = 0
    }

    public let ledger: DispatchLedger
    let producer: KafkaProducer
    let topic: String
    let logger: Logger

    public init(ledger: DispatchLedger, producer: KafkaProducer, topic: String, logger: Logger) {
        self.ledger = ledger
        self.producer = producer
        self.topic = topic
        self.logger = logger
    }

    /// Publishes the items of one verified callback of `connector`; returns after the broker
    /// acknowledged them, so a provider that sees 2xx can forget the callback.
    public func publish(
        _ items: [ProviderFeedback], ignored: Int, connector: String, receivedAt: Timestamp
    ) async throws -> Summary {
        var summary = Summary(ignored: ignored)
        var events: [FeedbackEvent] = []
        for item in items {
            let messageId: String?
            switch item.reference {
            case .message(let id): messageId = id
            case .provider(let id): messageId = try await ledger.messageId(connector: connector, providerMessageId: id)
            }
            guard let messageId, let entry = try await ledger.entry(messageId: messageId) else {
                summary.unknown += 1
                continue
            }
            events.append(
                FeedbackEvent(
                    status: item.status, messageId: messageId, customerId: entry.customerId, channel: entry.channel,
                    connector: connector, at: item.at ?? receivedAt, reason: item.reason, bounceType: item.bounceType,
                    url: item.url, topic: item.status == .unsubscribed ? entry.topic : nil,
                    discriminator: item.eventId ?? item.url))
        }
        try await publish(events)
        summary.accepted = events.count
        return summary
    }

    /// Publishes feedback whose message and customer are already known (tracking tokens).
    public func publish(_ events: [FeedbackEvent]) async throws {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let records = try events.map { event in
            KafkaOutgoingMessage(
                topic: topic, key: Array(event.customerId.utf8), value: Array(try encoder.encode(event.segmentEvent)))
        }
        _ = try await producer.send(records)
    }
}

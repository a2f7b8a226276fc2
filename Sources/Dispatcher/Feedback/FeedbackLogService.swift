import EngineCore
import SharedStores
import Feedback
import Foundation
import Ingest
import Logging
import NudgeKafka
import ServiceLifecycle
import SideConsumer

/// Records feedback (delivered, opened, clicked, failed, bounced, ...) in the message log:
/// consumes the feedback topic in its own group and commits after each batch is written.
/// Entries are keyed by the feedback event's deterministic id, so a replay writes nothing new.
public struct FeedbackLogService: Service {
    let kafka: KafkaConfig
    let topic: String
    let groupId: String
    let messageLog: any MessageLog
    let sessionTimeout: Duration
    let logger: Logger

    public init(
        kafka: KafkaConfig, topic: String, groupId: String = "nudge-message-log", messageLog: any MessageLog,
        sessionTimeout: Duration = .seconds(10), logger: Logger
    ) {
        self.kafka = kafka
        self.topic = topic
        self.groupId = groupId
        self.messageLog = messageLog
        self.sessionTimeout = sessionTimeout
        self.logger = logger
    }

    public func run() async throws {
        let loop = SideConsumerLoop(
            kafka: kafka, groupId: groupId, topics: [topic], sessionTimeout: sessionTimeout, logger: logger)
        try await loop.run { try await record($0) }
    }

    private func record(_ messages: [KafkaMessage]) async throws {
        let decoder = EventDecoder()
        var entries: [MessageLogEntry] = []
        for message in messages {
            guard
                case .success(let event) = decoder.decode(
                    message.value, recordId: "\(message.topic)/\(message.partition)/\(message.offset)"),
                let entry = Self.entry(for: event)
            else { continue }
            entries.append(entry)
        }
        try await SideConsumerLoop.retrying("message log write", logger: logger) {
            try await messageLog.record(entries)
        }
    }

    /// The message-log entry of a feedback event, or nil for anything else on the topic.
    static func entry(for event: Event) -> MessageLogEntry? {
        guard let messageId = event.properties["message_id"]?.stringValue, let customerId = event.userId,
            let status = DeliveryFeedback.Status.allCases.first(where: { $0.eventName == event.name })
        else { return nil }
        let logged: MessageStatus
        switch status {
        case .delivered: logged = .delivered
        case .failed: logged = .failed
        case .opened: logged = .opened
        case .clicked: logged = .clicked
        case .bounced: logged = .bounced
        case .complained: logged = .complained
        case .unsubscribed: logged = .unsubscribed
        }
        var detail: [String: String] = [:]
        for key in ["url", "bounce_type", "topic"] {
            if let value = event.properties[key]?.stringValue { detail[key] = value }
        }
        return MessageLogEntry(
            messageId: messageId, customerId: customerId, message: nil, status: logged,
            reason: event.properties["reason"]?.stringValue, connector: event.properties["connector"]?.stringValue,
            at: event.timestamp, entryKey: event.messageId, detail: detail)
    }
}

import EngineCore
import Foundation
import Ingest
import SharedStores
import Logging
import Metrics
import NudgeKafka
import PostgresNIO
import ServiceLifecycle
import SideConsumer

/// Writes every customer event to the timeline table: consumes the events topic and the feedback
/// topic in a consumer group of its own (`nudge-timeline` by default), so it never slows the
/// engine down, and commits offsets only after a batch is in PostgreSQL. Replays write nothing
/// new (entries are keyed by customer and messageId). Records that do not decode are skipped:
/// the engine dead-letters them.
public struct TimelineRecorder: Service {
    public struct Settings: Sendable {
        public var eventsTopic: String
        /// Delivery feedback (`Message Delivered`, ...); nil records the events topic only.
        public var feedbackTopic: String?
        public var groupId: String
        /// Records larger than this are skipped (the engine refuses them too).
        public var maxEventBytes: Int
        public var sessionTimeout: Duration

        public init(
            eventsTopic: String, feedbackTopic: String?, groupId: String = "nudge-timeline",
            maxEventBytes: Int = 32 * 1024, sessionTimeout: Duration = .seconds(10)
        ) {
            self.eventsTopic = eventsTopic
            self.feedbackTopic = feedbackTopic
            self.groupId = groupId
            self.maxEventBytes = maxEventBytes
            self.sessionTimeout = sessionTimeout
        }
    }

    let kafka: KafkaConfig
    let settings: Settings
    let timeline: PostgresTimeline
    let logger: Logger

    public init(kafka: KafkaConfig, settings: Settings, timeline: PostgresTimeline, logger: Logger) {
        self.kafka = kafka
        self.settings = settings
        self.timeline = timeline
        self.logger = logger
    }

    public func run() async throws {
        let topics = [settings.eventsTopic] + (settings.feedbackTopic.map { [$0] } ?? [])
        let loop = SideConsumerLoop(
            kafka: kafka, groupId: settings.groupId, topics: topics, sessionTimeout: settings.sessionTimeout,
            logger: logger)
        logger.info("timeline recorder started", metadata: [TimelineLogKeys.group: "\(settings.groupId)"])
        try await loop.run { try await record($0) }
    }

    /// Writes a batch, retrying while PostgreSQL is unavailable (`SideConsumerLoop.retrying`).
    private func record(_ messages: [KafkaMessage]) async throws {
        let entries = Self.entries(messages, settings: settings)
        let inserted = try await SideConsumerLoop.retrying("timeline write", logger: logger) {
            do {
                return try await timeline.record(entries)
            } catch let error as PSQLError where Self.isDataError(error) {
                return try await recordEach(entries)
            }
        }
        Counter(label: "nudge_timeline_events_total", dimensions: [("outcome", "recorded")]).increment(by: inserted)
        Counter(label: "nudge_timeline_events_total", dimensions: [("outcome", "skipped")])
            .increment(by: messages.count - inserted)
    }

    /// A batch PostgreSQL refused for its data (SQLSTATE class 22: a value no column can hold)
    /// would be refused on every retry: its entries go in one by one and those refused are
    /// skipped and logged, so one record cannot stop the timeline.
    private func recordEach(_ entries: [CustomerTimelineEntry]) async throws -> Int {
        var inserted = 0
        for entry in entries {
            do {
                inserted += try await timeline.record([entry])
            } catch let error as PSQLError where Self.isDataError(error) {
                logger.warning(
                    "timeline entry refused by PostgreSQL; skipped",
                    metadata: [
                        TimelineLogKeys.eventId: "\(entry.eventId)",
                        TimelineLogKeys.error: "\(error.serverInfo?[.message] ?? "data exception")",
                    ])
            }
        }
        return inserted
    }

    static func isDataError(_ error: PSQLError) -> Bool {
        error.serverInfo?[.sqlState]?.hasPrefix("22") == true
    }

    /// The entries of a batch, one per decodable record and customer (later duplicates dropped).
    static func entries(_ messages: [KafkaMessage], settings: Settings) -> [CustomerTimelineEntry] {
        let decoder = EventDecoder(maxEventBytes: settings.maxEventBytes)
        var seen = Set<String>()
        var entries: [CustomerTimelineEntry] = []
        for message in messages {
            let recordId = "\(message.topic)/\(message.partition)/\(message.offset)"
            guard case .success(let event) = decoder.decode(message.value, recordId: recordId) else { continue }
            let source: CustomerTimelineEntry.Source = message.topic == settings.feedbackTopic ? .feedback : .events
            guard let entry = CustomerTimelineEntry(event, source: source),
                seen.insert("\(entry.customerId)\u{1F}\(entry.eventId)").inserted
            else { continue }
            entries.append(entry)
        }
        return entries
    }
}

/// Log metadata keys of the timeline recorder. Identifiers only.
enum TimelineLogKeys {
    static let group = "kafka.group"
    static let eventId = "event.id"
    static let error = "error"
}

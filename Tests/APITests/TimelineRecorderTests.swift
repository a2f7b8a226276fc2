import EngineCore
import Feedback
import Foundation
import SharedStores
import Logging
import NudgeKafka
import PostgresNIO
import ServiceLifecycle
import Testing

@testable import Timeline

/// The timeline recorder: events and feedback from Kafka into `customer_timeline`, once each.
@Suite("Timeline recorder", .serialized, .timeLimit(.minutes(2)))
struct TimelineRecorderTests {
    static func record(_ topic: String, _ offset: Int64, _ json: String) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: 0, offset: offset, key: nil, value: Array(json.utf8), headers: [])
    }

    @Test func entriesAreOnePerCustomerAndEventAndSkipWhatDoesNotDecode() {
        let settings = TimelineRecorder.Settings(eventsTopic: "ev", feedbackTopic: "fb")
        let entries = TimelineRecorder.entries(
            [
                Self.record(
                    "ev", 0,
                    #"{"type":"track","event":"A","userId":"u","messageId":"m1","timestamp":"2026-01-01T00:00:00Z"}"#),
                Self.record(
                    "ev", 1,
                    #"{"type":"track","event":"A","userId":"u","messageId":"m1","timestamp":"2026-01-01T00:00:00Z"}"#),
                Self.record("ev", 2, "not json"),
                Self.record(
                    "ev", 3, #"{"type":"identify","userId":"u","anonymousId":"a","timestamp":"2026-01-01T00:00:01Z"}"#),
                Self.record(
                    "ev", 4, #"{"type":"page","name":"Home","anonymousId":"a","timestamp":"2026-01-01T00:00:02Z"}"#),
                Self.record(
                    "fb", 0,
                    #"{"type":"track","event":"Message Opened","userId":"u","messageId":"fb:opened:x","timestamp":"2026-01-01T00:00:03Z"}"#
                ),
            ], settings: settings)
        #expect(entries.map(\.eventId) == ["m1", "ev/0/3", "ev/0/4", "fb:opened:x"])
        #expect(entries.map(\.customerId) == ["u", "u", "a", "u"])
        #expect(entries.map(\.anonymousId) == [nil, "a", nil, nil])
        #expect(entries.map(\.source) == [.events, .events, .events, .feedback])
        #expect(entries[2].kind == .page && entries[2].name == "Home")
    }

    @Test func recordsEventsAndFeedbackFromKafkaOnce() async throws {
        let env = try await APITestEnvironment("timeline")
        let feedbackTopic = "\(env.name).feedback"
        let admin = try KafkaAdmin(config: env.kafka, logger: env.logger)
        try await admin.createTopics([KafkaTopicSpec(name: feedbackTopic, partitions: APITestEnvironment.partitions)])
        await admin.shutdown()
        let producer = try KafkaProducer(config: KafkaProducerConfig(client: env.kafka), logger: env.logger)
        let feedback = FeedbackEvent(
            status: .delivered, messageId: "m-1", customerId: "u-1", channel: "email", connector: "smtp",
            at: Timestamp(milliseconds: 1_767_254_460_000))
        let track =
            #"{"type":"track","event":"Signed Up","userId":"u-1","messageId":"e-1","timestamp":"2026-01-01T08:00:00Z","properties":{"plan":"pro"}}"#
        _ = try await producer.send([
            KafkaOutgoingMessage(topic: env.eventsTopic, key: Array("u-1".utf8), value: Array(track.utf8)),
            KafkaOutgoingMessage(topic: env.eventsTopic, key: Array("u-1".utf8), value: Array(track.utf8)),
            KafkaOutgoingMessage(topic: env.eventsTopic, key: Array("u-1".utf8), value: Array("{".utf8)),
            KafkaOutgoingMessage(
                topic: feedbackTopic, key: Array("u-1".utf8),
                value: Array(try JSONEncoder().encode(feedback.segmentEvent))),
        ])
        await producer.shutdown()

        try await TestDatabase.withMigratedDatabase { postgres, _ in
            let timeline = PostgresTimeline(client: postgres, logger: TestDatabase.logger)
            let settings = TimelineRecorder.Settings(
                eventsTopic: env.eventsTopic, feedbackTopic: feedbackTopic, groupId: "\(env.name)-timeline",
                sessionTimeout: .seconds(6))
            // Two runs of the same group: the second finds its offsets committed; a third with a
            // new group replays everything and writes nothing new.
            for group in [settings.groupId, settings.groupId, "\(env.name)-replay"] {
                var run = settings
                run.groupId = group
                let recorder = TimelineRecorder(kafka: env.kafka, settings: run, timeline: timeline, logger: env.logger)
                let services = ServiceGroup(services: [recorder], logger: env.logger)
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await services.run() }
                    let deadline = ContinuousClock.now + .seconds(30)
                    while try await timeline.entries(
                        customerId: "u-1", from: .distantPast, to: .distantFuture, limit: 10
                    ).count < 2,
                        ContinuousClock.now < deadline
                    {
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    try await Task.sleep(for: .seconds(1))
                    await services.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
            let entries = try await timeline.entries(
                customerId: "u-1", from: .distantPast, to: .distantFuture, limit: 10)
            #expect(entries.map(\.eventId) == [feedback.eventId, "e-1"])
            #expect(entries.map(\.source) == [.feedback, .events])
            #expect(entries.last?.properties == ["plan": "pro"])
            #expect(entries.first?.name == "Message Delivered")
            let rows = try await postgres.query("SELECT count(*) FROM customer_timeline", logger: TestDatabase.logger)
            for try await count in rows.decode(Int64.self) { #expect(count == 2) }
        }
    }

    /// JSON may carry `\u0000` in a property, which jsonb refuses: it is stored as U+FFFD, so one
    /// such event cannot hold the recorder on a batch it retries forever (schemathesis sent one).
    @Test func storesPropertiesWithNULCharacters() async throws {
        try await TestDatabase.withMigratedDatabase { postgres, _ in
            let timeline = PostgresTimeline(client: postgres, logger: TestDatabase.logger)
            let entry = CustomerTimelineEntry(
                customerId: "u-nul", eventId: "e-nul", anonymousId: nil, kind: .track, name: "Searched",
                source: .events, properties: ["q": "a\u{0}b", "k\u{0}": ["list": ["\u{0}"]]],
                traits: ["t": "\u{0}"], at: Date(timeIntervalSince1970: 1_767_254_400))
            #expect(try await timeline.record([entry]) == 1)
            let stored = try await timeline.entries(
                customerId: "u-nul", from: .distantPast, to: .distantFuture, limit: 10)
            #expect(stored.first?.properties == ["q": "a\u{FFFD}b", "k\u{FFFD}": ["list": ["\u{FFFD}"]]])
            #expect(stored.first?.traits == ["t": "\u{FFFD}"])
        }
    }
}

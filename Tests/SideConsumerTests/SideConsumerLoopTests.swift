import Foundation
import Logging
import NudgeKafka
import ServiceLifecycleTestKit
import Synchronization
import Testing

@testable import SideConsumer

/// The side-consumer loop against the local Kafka (Tansu): commits after each recorded batch, never
/// past a batch that failed, and closes the consumer on every way out.
@Suite("Side consumer loop", .serialized, .timeLimit(.minutes(2)))
struct SideConsumerLoopTests {
    static let total = 30
    static let batchSize = 10
    /// librdkafka's "no committed offset".
    static let noOffset: Int64 = -1001

    struct BatchFailed: Error {}

    @Test func commitsAfterEachRecordedBatchAndClosesWhenTheEventsEnd() async throws {
        let (topic, group) = try await Self.topicWithRecords()
        let consumer = try KafkaConsumer(config: Self.config(group: group, topic: topic), logger: Self.logger)
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        // Per batch: its first offset and the group's committed offset while it was being recorded.
        let batches = Shared<[(first: Int64, committed: Int64)]>([])
        let run = Task {
            try await SideConsumerLoop.run(consumer) { messages in
                let committed = try await consumer.committed([partition]).first?.offset ?? Self.noOffset
                batches.withLock { $0.append((messages[0].offset, committed)) }
            }
        }
        let allCommitted = try await Self.eventually(timeout: .seconds(60)) {
            try await consumer.committed([partition]).first?.offset == Int64(Self.total)
        }
        #expect(allCommitted)
        await consumer.close()
        try await run.value

        let seen = batches.withLock { $0 }
        #expect(seen.count >= Self.total / Self.batchSize)
        #expect(seen.first?.first == 0)
        #expect(seen.first?.committed == Self.noOffset)
        // Batch k was recorded with exactly batches 0..<k committed: a commit after each, none ahead.
        for batch in seen.dropFirst() { #expect(batch.committed == batch.first) }
        #expect(try await Self.committedOffset(group: group, topic: topic) == Int64(Self.total))
    }

    @Test func aBatchThatThrowsLeavesTheConsumerClosedAndItsOffsetsUncommitted() async throws {
        let (topic, group) = try await Self.topicWithRecords()
        let consumer = try KafkaConsumer(config: Self.config(group: group, topic: topic), logger: Self.logger)
        let failedAt = Shared<Int64?>(nil)
        await #expect(throws: BatchFailed.self) {
            try await SideConsumerLoop.run(consumer) { messages in
                guard messages.contains(where: { $0.offset >= Int64(Self.batchSize) }) else { return }
                failedAt.withLock { $0 = messages[0].offset }
                throw BatchFailed()
            }
        }
        try await Self.expectClosed(consumer)
        let failed = try #require(failedAt.withLock { $0 })
        #expect(failed > 0)
        #expect(try await Self.committedOffset(group: group, topic: topic) == failed)
    }

    @Test func cancellationDuringABatchClosesTheConsumerAndCommitsNothingOfIt() async throws {
        let (topic, group) = try await Self.topicWithRecords()
        let consumer = try KafkaConsumer(config: Self.config(group: group, topic: topic), logger: Self.logger)
        let inFlight = Shared<Int64?>(nil)
        let run = Task {
            try await SideConsumerLoop.run(consumer) { messages in
                guard messages.contains(where: { $0.offset >= Int64(Self.batchSize) }) else { return }
                inFlight.withLock { $0 = messages[0].offset }
                try await Task.sleep(for: .seconds(600))
            }
        }
        #expect(try await Self.eventually(timeout: .seconds(60)) { inFlight.withLock { $0 } != nil })
        run.cancel()
        await #expect(throws: CancellationError.self) { try await run.value }
        try await Self.expectClosed(consumer)
        let cancelled = try #require(inFlight.withLock { $0 })
        #expect(try await Self.committedOffset(group: group, topic: topic) == cancelled)
    }

    /// A batch whose store stays down is retried until graceful shutdown, which ends the loop
    /// at once, cleanly, with that batch uncommitted (a process stopping while PostgreSQL is down
    /// used to wait for it forever).
    @Test func gracefulShutdownEndsARetriedBatchUncommitted() async throws {
        let (topic, group) = try await Self.topicWithRecords()
        let consumer = try KafkaConsumer(config: Self.config(group: group, topic: topic), logger: Self.logger)
        let attempts = Shared<Int>(0)
        try await testGracefulShutdown { shutdown in
            let run = Task {
                try await SideConsumerLoop.run(consumer) { _ in
                    try await SideConsumerLoop.retrying("test write", logger: Self.logger) {
                        attempts.withLock { $0 += 1 }
                        throw BatchFailed()
                    }
                }
            }
            #expect(try await Self.eventually(timeout: .seconds(60)) { attempts.withLock { $0 } >= 2 })
            shutdown.triggerGracefulShutdown()
            try await run.value
        }
        try await Self.expectClosed(consumer)
        #expect(try await Self.committedOffset(group: group, topic: topic) == Self.noOffset)
    }

    // MARK: - Support

    static var logger: Logger {
        var logger = Logger(label: "nudge.side-consumer.tests")
        logger.logLevel = .warning
        return logger
    }

    static var client: KafkaConfig {
        let brokers = ProcessInfo.processInfo.environment["NUDGE_KAFKA_BROKERS"] ?? "127.0.0.1:19092"
        return KafkaConfig(brokers: brokers.split(separator: ",").map(String.init), clientId: "nudge-tests")
    }

    static func config(group: String, topic: String) -> KafkaConsumerConfig {
        // Small batches so a run has several; short group timeouts (Tansu joins slowly otherwise).
        KafkaConsumerConfig(
            client: client, groupId: group, topics: [topic], offsetReset: .earliest, rebalanceStrategy: .eager,
            maxBatchSize: batchSize, maxPollInterval: .seconds(10), sessionTimeout: .seconds(6),
            revocationTimeout: .seconds(10))
    }

    /// A one-partition topic holding `total` records, and a fresh group name.
    static func topicWithRecords() async throws -> (topic: String, group: String) {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let topic = "nudge-test-side-\(suffix)"
        let admin = try KafkaAdmin(config: client, logger: logger)
        try await admin.createTopics([KafkaTopicSpec(name: topic, partitions: 1)], timeout: .seconds(15))
        await admin.shutdown()
        let producer = try KafkaProducer(config: KafkaProducerConfig(client: client), logger: logger)
        _ = try await producer.send(
            (0..<total).map { KafkaOutgoingMessage(topic: topic, key: Array("k".utf8), value: Array("\($0)".utf8)) })
        await producer.shutdown()
        return (topic, "side-\(suffix)")
    }

    /// The group's committed offset of partition 0, read by a new member after the loop's consumer left.
    static func committedOffset(group: String, topic: String) async throws -> Int64? {
        let reader = try KafkaConsumer(config: config(group: group, topic: topic), logger: logger)
        do {
            let offset = try await reader.committed([KafkaTopicPartition(topic: topic, partition: 0)]).first?.offset
            await reader.close()
            return offset
        } catch {
            await reader.close()
            throw error
        }
    }

    /// `close()` was called: a consumer that was merely dropped would still try the commit.
    static func expectClosed(_ consumer: KafkaConsumer) async throws {
        let error = await #expect(throws: KafkaError.self) { try await consumer.commit([]) }
        #expect(error?.code == .closed)
    }

    static func eventually(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }
}

/// A value the test and the loop's task both touch.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}

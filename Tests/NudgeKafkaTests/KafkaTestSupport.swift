import Foundation
import Logging
import NudgeKafka
import Synchronization
import Testing

/// Shared helpers: broker address, unique names, topic creation, bounded waits.
enum KafkaTestSupport {
    /// From `NUDGE_KAFKA_BROKERS` (comma-separated), default the local Tansu of `scripts/stack.sh`.
    static var brokers: [String] {
        let value = ProcessInfo.processInfo.environment["NUDGE_KAFKA_BROKERS"] ?? "127.0.0.1:19092"
        return value.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }
    }

    static var logger: Logger {
        var logger = Logger(label: "nudge.kafka.tests")
        logger.logLevel = .warning
        return logger
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    static var client: KafkaConfig { KafkaConfig(brokers: brokers, clientId: "nudge-tests") }

    /// Creates the topic (twice: creation must be idempotent) and checks its partition count. An
    /// unreachable broker makes this throw, so the test fails rather than skips.
    static func createTopic(partitions: Int32) async throws -> String {
        let name = uniqueName("nudge-test")
        let admin = try KafkaAdmin(config: client, logger: logger)
        let spec = KafkaTopicSpec(name: name, partitions: partitions)
        try await admin.createTopics([spec], timeout: .seconds(15))
        try await admin.createTopics([spec], timeout: .seconds(15))
        let metadata = try await admin.metadata(topic: name)
        #expect(metadata.partitionCount == Int(partitions))
        await admin.shutdown()
        return name
    }

    static func consumerConfig(
        group: String,
        topic: String,
        strategy: KafkaRebalanceStrategy = .cooperativeSticky
    ) -> KafkaConsumerConfig {
        // Short group timeouts: with librdkafka's defaults a join on Tansu takes ~20 s.
        KafkaConsumerConfig(
            client: client,
            groupId: group,
            topics: [topic],
            rebalanceStrategy: strategy,
            maxPollInterval: .seconds(10),
            sessionTimeout: .seconds(6),
            revocationTimeout: .seconds(10)
        )
    }

    /// Reads messages until `count` arrived, acknowledging revocations at once.
    static func collect(
        _ count: Int,
        from consumer: KafkaConsumer,
        timeout: Duration
    ) async throws -> [KafkaMessage] {
        try await withTimeout(timeout) {
            var messages: [KafkaMessage] = []
            for try await event in consumer.events {
                switch event {
                case .messages(let batch): messages += batch
                case .revoked(_, let revocation): revocation.acknowledge()
                case .assigned: break
                }
                if messages.count >= count { break }
            }
            return messages
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        var duration: Duration
        var description: String { "timed out after \(duration)" }
    }

    static func withTimeout<T: Sendable>(
        _ duration: Duration,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: duration)
                throw TimedOut(duration: duration)
            }
            defer { group.cancelAll() }
            guard let result = try await group.next() else { throw TimedOut(duration: duration) }
            return result
        }
    }

    /// Polls `condition` until it holds or `timeout` passes.
    static func eventually(timeout: Duration, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }
}

extension Array where Element == UInt8 {
    init(_ string: String) { self = Array(string.utf8) }
    var string: String { String(decoding: self, as: UTF8.self) }
}

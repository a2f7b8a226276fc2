import CRdKafka
import Foundation
import Logging
import Synchronization

/// A consumer group member with manual commits (`enable.auto.commit=false`, `enable.auto.offset.store=false`).
///
/// A dedicated poll thread calls `rd_kafka_consumer_poll` only while `events` is being awaited, and
/// surfaces messages (batched per poll) and rebalances in order; see `KafkaConsumerEvent`. Iterate
/// `events` from one task. Call `close()` to leave the group; the handle is destroyed on the poll thread
/// after it closed the consumer and once no commit holds it any more.
public final class KafkaConsumer: Sendable {
    private enum State {
        case running(RDKafkaClient)
        case closed
    }

    private let state: Mutex<State>
    private let channel: EventChannel
    private let exited = CompletionLatch()
    private let logger: Logger

    /// Creates the handle, subscribes to `config.topics` and starts the poll thread.
    public init(config: KafkaConsumerConfig, logger: Logger) throws {
        var logger = logger
        logger[metadataKey: KafkaLogKeys.groupId] = "\(config.groupId)"
        logger[metadataKey: KafkaLogKeys.clientId] = "\(config.client.clientId)"
        let channel = EventChannel()
        let rebalance = ConsumerRebalanceHandler(
            channel: channel, revocationTimeout: config.revocationTimeout, logger: logger
        )
        let client = try RDKafkaClient.make(
            kind: .consumer,
            properties: Self.properties(config),
            context: RDKafkaCallbackContext(logger: logger, rebalance: rebalance),
            logger: logger
        )
        try client.subscribe(config.topics)
        self.state = Mutex(.running(client))
        self.channel = channel
        self.logger = logger
        Self.startPollThread(client: client, channel: channel, exited: exited, config: config, logger: logger)
    }

    deinit {
        // Without close() the poll thread still closes the consumer (leaving the group) before it exits.
        channel.stop()
    }

    static func properties(_ config: KafkaConsumerConfig) -> [(String, String)] {
        let invariants = [
            ("group.id", config.groupId),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
        ]
        let session = config.sessionTimeout.kafkaMilliseconds
        return RDKafkaConfig.common(config.client) + invariants + [
            ("auto.offset.reset", config.offsetReset.rawValue),
            ("partition.assignment.strategy", config.rebalanceStrategy.rawValue),
            ("max.poll.interval.ms", "\(config.maxPollInterval.kafkaMilliseconds)"),
            ("session.timeout.ms", "\(session)"),
            ("heartbeat.interval.ms", "\(min(3000, max(1, session / 3)))"),
            ("queued.max.messages.kbytes", "\(config.maxPrefetchKilobytes)"),
        ] + config.client.properties.sorted { $0.key < $1.key } + invariants
    }

    /// The consumer's events. Iterate from one task; the sequence ends after `close()`.
    public var events: Events { Events(channel: channel) }

    public struct Events: AsyncSequence, Sendable {
        public typealias Element = KafkaConsumerEvent
        fileprivate let channel: EventChannel

        public struct AsyncIterator: AsyncIteratorProtocol {
            fileprivate let channel: EventChannel

            public mutating func next() async throws -> KafkaConsumerEvent? {
                try await channel.next()
            }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: channel) }
    }

    /// Commits explicit offsets (each the next offset to read) and waits for the broker, off the
    /// cooperative pool. Commit per batch, not per message.
    public func commit(_ offsets: [KafkaTopicPartitionOffset]) async throws {
        let client = try runningClient()
        try await client.runBlocking { try $0.commit(offsets) }
    }

    /// The group's committed offsets for `partitions` (`offset` is -1001 where none is committed).
    public func committed(
        _ partitions: [KafkaTopicPartition],
        timeout: Duration = .seconds(10)
    ) async throws -> [KafkaTopicPartitionOffset] {
        let client = try runningClient()
        return try await client.runBlocking { try $0.committed(partitions, timeout: timeout) }
    }

    /// Leaves the group: stops polling, revokes the assignment (surfaced, not waited for) and closes
    /// the consumer. `events` ends after the events still buffered.
    public func close() async {
        state.withLock { $0 = .closed }
        channel.stop()
        await exited.wait()
    }

    private func runningClient() throws -> RDKafkaClient {
        guard case .running(let client) = state.withLock({ $0 }) else {
            throw KafkaError(code: .closed, message: "consumer is closed")
        }
        return client
    }
}

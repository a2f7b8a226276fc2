import CRdKafka
import Foundation
import Logging
import Synchronization

/// Reads one topic-partition by explicit offsets, outside any consumer group: what a recovering outbox
/// needs to see which of its messages a crashed run already produced.
///
/// librdkafka needs a `group.id` for `rd_kafka_assign`; the reader uses a throwaway unique one and never
/// commits, so no group state is created. Reads (assign, poll, unassign) run one at a time on the
/// handle's blocking queue; a poll thread serves logs and client errors. Call `close()` when done: the
/// handle is then destroyed on the poll thread.
public final class KafkaPartitionReader: Sendable {
    private enum State {
        case running(RDKafkaClient, RDKafkaPollThread)
        case closed
    }

    private let state: Mutex<State>
    private let logger: Logger

    public init(config: KafkaConfig, logger: Logger) throws {
        var logger = logger
        logger[metadataKey: KafkaLogKeys.clientId] = "\(config.clientId)"
        let client = try RDKafkaClient.make(
            kind: .consumer,
            properties: Self.properties(config),
            context: RDKafkaCallbackContext(logger: logger),
            logger: logger
        )
        self.logger = logger
        state = Mutex(.running(client, RDKafkaPollThread(client: client, name: "nudge.kafka.reader.poll")))
    }

    deinit {
        if case .running(_, let pollThread) = state.withLock({ $0 }) { pollThread.requestStop() }
    }

    static func properties(_ config: KafkaConfig) -> [(String, String)] {
        let invariants = [
            ("group.id", "nudge-partition-reader-\(UUID().uuidString.lowercased())"),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            // The end-of-partition event is how a read notices it is done across offset gaps.
            ("enable.partition.eof", "true"),
        ]
        let defaults = [
            // Out of range means records removed by retention meanwhile: go on from the oldest left.
            ("auto.offset.reset", "earliest"),
            // A read that starts at the end waits for one empty fetch: keep that short.
            ("fetch.wait.max.ms", "100"),
        ]
        return RDKafkaConfig.common(config) + invariants + defaults
            + config.properties.sorted { $0.key < $1.key } + invariants
    }

    /// The partition's oldest offset (`low`) and the offset its next message will get (`high`). `high` is
    /// checked against a fetch, as some brokers undercount it (see `readToEnd`).
    public func watermarks(
        topic: String,
        partition: Int32,
        timeout: Duration = .seconds(10)
    ) async throws -> (low: Int64, high: Int64) {
        let (low, high, _) = try await read(topic: topic, partition: partition, from: nil, timeout: timeout)
        return (low, high)
    }

    /// Every message from `offset` (raised to the low watermark) up to the high watermark seen when the
    /// read starts (at its first fetch), in offset order; [] when `offset` is at or past it. Messages
    /// produced later are not waited for. Throws `.timeout` if this takes longer than `timeout` (the
    /// watermark query included), `CancellationError` when the task is cancelled.
    public func readAll(
        topic: String,
        partition: Int32,
        from offset: Int64,
        timeout: Duration = .seconds(30)
    ) async throws -> [KafkaMessage] {
        try await read(topic: topic, partition: partition, from: offset, timeout: timeout).messages
    }

    /// Queries the listed watermarks, then reads from `offset` (nil: only learns the end), off the
    /// cooperative pool.
    private func read(
        topic: String,
        partition: Int32,
        from offset: Int64?,
        timeout: Duration
    ) async throws -> (low: Int64, high: Int64, messages: [KafkaMessage]) {
        let client = try runningClient()
        let deadline = ContinuousClock.now + timeout
        let cancelled = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await client.runBlocking { client in
                let remaining = deadline - .now
                if cancelled.isSet { throw CancellationError() }
                guard remaining > .zero else {
                    throw KafkaError(code: .timeout, message: "timed out before it started", topic: topic)
                }
                let listed = try client.listedWatermarks(topic: topic, partition: partition, timeout: remaining)
                let (end, messages) = try client.readToEnd(
                    KafkaTopicPartition(topic: topic, partition: partition),
                    from: max(offset ?? listed.high, listed.low),
                    listedEnd: listed.high,
                    collect: offset != nil,
                    deadline: deadline,
                    isCancelled: { cancelled.isSet }
                )
                return (listed.low, end, messages)
            }
        } onCancel: {
            cancelled.set()
        }
    }

    /// Closes the consumer handle (nothing to leave or commit), stops the poll thread, which then
    /// destroys the handle. Later calls throw `.closed`.
    public func close() async {
        await closeConsumer()?.stop()
    }

    /// Separate from `close()` so the client reference is gone before the poll thread stops.
    private func closeConsumer() async -> RDKafkaPollThread? {
        let running: (RDKafkaClient, RDKafkaPollThread)? = state.withLock { state in
            defer { state = .closed }
            guard case .running(let client, let pollThread) = state else { return nil }
            return (client, pollThread)
        }
        guard let (client, pollThread) = running else { return nil }
        let error = try? await client.runBlocking { $0.consumerClose() }
        if let error, error != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("kafka partition reader close: \(kafkaError(.consumer, "close failed", rdError: error))")
        }
        return pollThread
    }

    private func runningClient() throws -> RDKafkaClient {
        guard case .running(let client, _) = state.withLock({ $0 }) else {
            throw KafkaError(code: .closed, message: "partition reader is closed")
        }
        return client
    }
}

/// Set by a task's cancellation handler, read by the blocking read loop between polls.
private final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}

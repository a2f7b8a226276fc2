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
    private let handle: KafkaReaderHandle

    public init(config: KafkaConfig, logger: Logger) throws {
        handle = try KafkaReaderHandle(config: config, name: "partition reader", logger: logger)
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
        let client = try handle.runningClient()
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

    /// Closes the consumer handle (nothing to leave or commit) and stops its poll thread. Later
    /// calls throw `.closed`.
    public func close() async {
        await handle.close()
    }
}

/// Set by a task's cancellation handler, read by the blocking read loop between polls.
private final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}

import CRdKafka
import Foundation
import Logging
import Synchronization

/// Reads one topic-partition from a start offset up to an end fixed when the read starts, chunk by
/// chunk, outside any consumer group: the history reader of a backtest. One reader per partition, so
/// partitions read in parallel (librdkafka's assignment belongs to the whole handle).
///
/// Like `KafkaPartitionReader` it assigns directly with a throwaway `group.id` and never commits or
/// subscribes, so no group is joined and no group state is created. Blocking calls run one at a time
/// on the handle's blocking queue; a poll thread serves logs and client errors. Call `close()` when
/// done: the handle is then destroyed on the poll thread.
public final class KafkaRangeReader: Sendable {
    /// Where the read stands; touched only by blocking calls, which the queue runs one at a time.
    private struct Cursor {
        var partition: KafkaTopicPartition
        /// The next offset owed (offsets can have gaps, so end-of-partition positions move it too).
        var next: Int64
        /// What ListOffsets reported as the end when the read started (Tansu undercounts it).
        var listedEnd: Int64
        /// Fixed at the first fetch response: the end of this read.
        var end: Int64?

        var isDone: Bool {
            guard let end else { return false }
            return next >= end
        }
    }

    private let handle: KafkaReaderHandle
    private let cursor = Mutex<Cursor?>(nil)

    public init(config: KafkaConfig, logger: Logger) throws {
        handle = try KafkaReaderHandle(config: config, name: "range reader", logger: logger)
    }

    /// The topic's partition count from the cluster's metadata.
    public func partitionCount(topic: String, timeout: Duration = .seconds(10)) async throws -> Int {
        try await handle.runningClient().runBlocking { try $0.partitionCount(topic: topic, timeout: timeout) }
    }

    /// Per partition, the earliest offset whose record timestamp is at or after `time`
    /// (`rd_kafka_offsets_for_times`); nil where no record is that recent yet. Tansu 0.6 answers the
    /// earliest offset for any time, so callers check the timestamps they read.
    public func offsets(
        topic: String,
        partitions: [Int32],
        atOrAfter time: Date,
        timeout: Duration = .seconds(10)
    ) async throws -> [Int32: Int64?] {
        let milliseconds = Int64((time.timeIntervalSince1970 * 1000).rounded(.down))
        return try await handle.runningClient().runBlocking {
            try $0.offsetsForTimes(topic: topic, partitions: partitions, milliseconds: milliseconds, timeout: timeout)
        }
    }

    /// Starts reading `partition` at `offset` (raised to the low watermark), up to the partition's end
    /// as the first fetch response sees it; the caller may stop earlier (a time bound) by not asking on.
    public func start(
        topic: String,
        partition: Int32,
        from offset: Int64,
        timeout: Duration = .seconds(10)
    ) async throws {
        let client = try handle.runningClient()
        let started: Cursor = try await client.runBlocking { client in
            let listed = try client.listedWatermarks(topic: topic, partition: partition, timeout: timeout)
            let start = max(offset, listed.low)
            let topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
            // A fetch past the real end gets no answer from Tansu: start at the listed end at most.
            try client.assign(topicPartition, at: min(start, listed.high))
            return Cursor(partition: topicPartition, next: start, listedEnd: listed.high)
        }
        cursor.withLock { $0 = started }
    }

    /// The next messages in offset order, at most `maxMessages`; nil once the read is done. Waits for
    /// the first message of a chunk at most `timeout` (then throws `.timeout`), not for a full chunk.
    public func next(maxMessages: Int = 4096, timeout: Duration = .seconds(30)) async throws -> [KafkaMessage]? {
        let client = try handle.runningClient()
        return try await client.runBlocking { client in
            try self.cursor.withLock { stored -> [KafkaMessage]? in
                guard var position = stored else {
                    throw KafkaError(code: .consumer, message: "range reader read before start()")
                }
                defer { stored = position }
                if position.isDone { return nil }
                return try Self.readChunk(client, &position, maxMessages: maxMessages, deadline: .now + timeout)
            }
        }
    }

    /// One chunk: polls until `maxMessages` are in hand, the range is done, or the queue runs dry
    /// after at least one message. Blocks: runs on the handle's blocking queue.
    private static func readChunk(
        _ client: RDKafkaClient,
        _ position: inout Cursor,
        maxMessages: Int,
        deadline: ContinuousClock.Instant
    ) throws -> [KafkaMessage] {
        var messages: [KafkaMessage] = []
        messages.reserveCapacity(min(maxMessages, 4096))
        let partition = position.partition
        while messages.count < maxMessages, !position.isDone {
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw KafkaError(
                    code: .timeout,
                    message: "read of \(partition) timed out at offset \(position.next), end \(position.end ?? -1)",
                    topic: partition.topic,
                    partition: partition.partition
                )
            }
            // With messages in hand, do not wait for more: hand them over and let the fetcher refill.
            let wait: Int32 = messages.isEmpty ? min(100, max(1, remaining.kafkaMilliseconds)) : 0
            switch client.consumerPoll(timeoutMilliseconds: wait) {
            case nil:
                if !messages.isEmpty { return messages }
            case .message(let message):
                guard message.topicPartition == partition else { break }
                // librdkafka caches a fetch response's high watermark before it queues its messages.
                if position.end == nil {
                    position.end = max(position.listedEnd, client.fetchedHighWatermark(partition))
                }
                guard message.offset >= position.next else { break }
                if message.offset < position.end ?? .max {
                    messages.append(message)
                }
                position.next = message.offset + 1
            case .endOfPartition(let end):
                guard end.topicPartition == partition else { break }
                if position.end == nil { position.end = max(position.listedEnd, end.offset) }
                position.next = max(position.next, end.offset)
            case .error(let error, fatal: true):
                throw error
            case .error(let error, fatal: false):
                if error.topic == partition.topic { throw error }
                client.logger.warning("kafka range reader: \(error)")
            }
        }
        return messages
    }

    /// Closes the consumer handle (nothing to leave or commit) and stops its poll thread. Later
    /// calls throw `.closed`.
    public func close() async {
        await handle.close()
    }
}

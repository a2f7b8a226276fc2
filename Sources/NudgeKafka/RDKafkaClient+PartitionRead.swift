import CRdKafka
import Logging

extension RDKafkaClient {
    /// The partition's low and high watermark as ListOffsets reports them (see `readToEnd` on why the
    /// high one needs checking). Blocks: call through `runBlocking`.
    func listedWatermarks(topic: String, partition: Int32, timeout: Duration) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let error = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeout.kafkaMilliseconds)
        switch error {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            return (low, high)
        // librdkafka waits out the timeout for a broker, then reports why none answered.
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TRANSPORT:
            throw kafkaError(
                .timeout, "no watermarks within \(timeout)", rdError: error, topic: topic, partition: partition
            )
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
            RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            throw kafkaError(.topicNotFound, "no such partition", rdError: error, topic: topic, partition: partition)
        default:
            throw kafkaError(.metadata, "watermark query failed", rdError: error, topic: topic, partition: partition)
        }
    }

    /// Reads `partition` from `start` up to its end, in offset order, and returns that end too; with
    /// `collect: false` it only learns the end. Blocks until done, `deadline` or `isCancelled()`: call
    /// through `runBlocking`, one read at a time (the assignment belongs to the whole handle).
    ///
    /// The end is fixed once, at the first fetch response: the larger of `listedEnd` (ListOffsets) and the
    /// high watermark that response carried. Both, because Tansu 0.6 answers ListOffsets with the last
    /// batch's base offset + 1, which undercounts, while its Fetch is right. For the same reason the
    /// fetch starts at `listedEnd` at most: a fetch past the real end gets no answer from Tansu.
    func readToEnd(
        _ partition: KafkaTopicPartition,
        from start: Int64,
        listedEnd: Int64,
        collect: Bool,
        deadline: ContinuousClock.Instant,
        isCancelled: () -> Bool
    ) throws -> (end: Int64, messages: [KafkaMessage]) {
        try assign(partition, at: min(start, listedEnd))
        defer {
            let error = rd_kafka_assign(handle, nil)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("kafka partition reader: \(kafkaError(.consumer, "unassign failed", rdError: error))")
            }
        }

        var messages: [KafkaMessage] = []
        var end: Int64?
        // The next offset owed. Offsets can have gaps (compaction, transaction markers), so the
        // end-of-partition position moves it too, not only the messages.
        var next = start
        while end.map({ collect && next < $0 }) ?? true {
            if isCancelled() { throw CancellationError() }
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw KafkaError(
                    code: .timeout,
                    message: "read of \(partition) from \(start) timed out at offset \(next), end \(end ?? -1)",
                    topic: partition.topic,
                    partition: partition.partition
                )
            }
            switch consumerPoll(timeoutMilliseconds: min(100, max(1, remaining.kafkaMilliseconds))) {
            case nil:
                break
            case .message(let message):
                // Other partitions are leftovers of an earlier assignment.
                guard message.topicPartition == partition else { break }
                // librdkafka caches a fetch response's high watermark before it queues its messages.
                if end == nil { end = max(listedEnd, fetchedHighWatermark(partition)) }
                // Below `next`: fetched from `listedEnd` or from the start of a batch, not asked for.
                guard message.offset >= next else { break }
                if message.offset < end ?? .max { messages.append(message) }
                next = message.offset + 1
            case .endOfPartition(let position):
                guard position.topicPartition == partition else { break }
                if end == nil { end = max(listedEnd, position.offset) }
                next = max(next, position.offset)
            case .error(let error, fatal: true):
                throw error
            case .error(let error, fatal: false):
                // Errors naming the topic (unknown partition, authorization) will not heal by waiting.
                if error.topic == partition.topic { throw error }
                logger.warning("kafka partition reader: \(error)")
            }
        }
        return (end ?? listedEnd, messages)
    }

    func assign(_ partition: KafkaTopicPartition, at offset: Int64) throws {
        try RDKafkaTopicPartitionList.withList([(partition.topic, partition.partition, offset)]) {
            let error = rd_kafka_assign(handle, $0)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw kafkaError(
                    .consumer, "assign failed", rdError: error, topic: partition.topic, partition: partition.partition
                )
            }
        }
    }

    /// The high watermark of the partition's last fetch response.
    func fetchedHighWatermark(_ partition: KafkaTopicPartition) -> Int64 {
        var low: Int64 = 0
        var high: Int64 = 0
        _ = rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
        return high
    }
}

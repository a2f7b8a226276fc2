import CRdKafka
import Foundation

extension RDKafkaClient {
    /// Routes the main queue (logs, errors) into the consumer queue, then subscribes.
    func subscribe(_ topics: [String]) throws {
        rd_kafka_poll_set_consumer(handle)
        try RDKafkaTopicPartitionList.withList(
            topics.map { ($0, RD_KAFKA_PARTITION_UA, Int64(RD_KAFKA_OFFSET_INVALID)) }
        ) {
            let error = rd_kafka_subscribe(handle, $0)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw kafkaError(.consumer, "subscribe to \(topics) failed", rdError: error)
            }
        }
    }

    enum Polled {
        case message(KafkaMessage)
        case error(KafkaError, fatal: Bool)
        /// The fetcher reached the partition's end; `offset` is the next offset it will fetch. Only sent
        /// with `enable.partition.eof=true` (the partition reader's stop signal).
        case endOfPartition(KafkaTopicPartitionOffset)
    }

    /// Polls the consumer queue once, serving callbacks (rebalance, logs) on the calling thread; blocks
    /// up to `timeoutMilliseconds`. Only the consumer's poll thread calls this.
    func consumerPoll(timeoutMilliseconds: Int32) -> Polled? {
        guard let raw = rd_kafka_consumer_poll(handle, timeoutMilliseconds) else { return nil }
        defer { rd_kafka_message_destroy(raw) }
        let message = raw.pointee
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) }
        guard message.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                return .endOfPartition(
                    KafkaTopicPartitionOffset(topic: topic ?? "", partition: message.partition, offset: message.offset)
                )
            }
            if message.err == RD_KAFKA_RESP_ERR__FATAL {
                return .error(fatalError(), fatal: true)
            }
            let text = message.payload.map {
                String(decoding: UnsafeRawBufferPointer(start: $0, count: message.len), as: UTF8.self)
            }
            let error = kafkaError(
                .consumer, text ?? "consumer error", rdError: message.err, topic: topic, partition: message.partition
            )
            return .error(error, fatal: false)
        }
        return .message(Self.copy(raw, topic: topic ?? ""))
    }

    private static func copy(_ raw: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) -> KafkaMessage {
        let message = raw.pointee
        let key = message.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
        let value = message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: message.len)) } ?? []
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(raw, &timestampType)
        let timestamp =
            timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || milliseconds < 0
            ? nil : Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return KafkaMessage(
            topic: topic,
            partition: message.partition,
            offset: message.offset,
            key: key,
            value: value,
            headers: headers(of: raw),
            timestamp: timestamp
        )
    }

    /// Copies the headers; they belong to the message and are freed with it.
    private static func headers(of raw: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(raw, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                let name
            else { break }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(name: String(cString: name), value: bytes))
            index += 1
        }
        return result
    }

    /// The fatal error librdkafka raised (idempotent producer fencing, static member fencing).
    func fatalError() -> KafkaError {
        var text = [CChar](repeating: 0, count: 512)
        let error = rd_kafka_fatal_error(handle, &text, text.count)
        return kafkaError(.consumer, "fatal: \(String(cBuffer: text))", rdError: error)
    }

    /// Synchronous commit of explicit offsets; blocks, so call it through `runBlocking`.
    func commit(_ offsets: [KafkaTopicPartitionOffset]) throws {
        guard !offsets.isEmpty else { return }
        try RDKafkaTopicPartitionList.withList(offsets.map { ($0.topic, $0.partition, $0.offset) }) { list in
            let error = rd_kafka_commit(handle, list, 0)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw kafkaError(.commit, "commit of \(offsets) failed", rdError: error)
            }
            if let error = RDKafkaTopicPartitionList.firstError(list, code: .commit, "commit failed") { throw error }
        }
    }

    /// The group's committed offsets; blocks, so call it through `runBlocking`.
    func committed(_ partitions: [KafkaTopicPartition], timeout: Duration) throws -> [KafkaTopicPartitionOffset] {
        try RDKafkaTopicPartitionList.withList(
            partitions.map { ($0.topic, $0.partition, Int64(RD_KAFKA_OFFSET_INVALID)) }
        ) {
            list in
            let error = rd_kafka_committed(handle, list, timeout.kafkaMilliseconds)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw kafkaError(.commit, "committed offsets lookup failed", rdError: error)
            }
            if let error = RDKafkaTopicPartitionList.firstError(list, code: .commit, "committed offset lookup failed") {
                throw error
            }
            return RDKafkaTopicPartitionList.offsets(list)
        }
    }

    /// Leaves the group (serving the final revoke on the calling thread); blocks.
    func consumerClose() -> rd_kafka_resp_err_t {
        rd_kafka_consumer_close(handle)
    }
}

import CRdKafka

/// Copies between `rd_kafka_topic_partition_list_t` and Swift values. Lists made here are freed by the
/// caller with `rd_kafka_topic_partition_list_destroy` (use `withList`).
enum RDKafkaTopicPartitionList {
    typealias List = UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// Builds a list, passes it to `body`, frees it afterwards.
    static func withList<T>(
        _ entries: [(topic: String, partition: Int32, offset: Int64)],
        _ body: (List) throws -> T
    ) throws -> T {
        guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: entries.count)) else {
            throw KafkaError(code: .consumer, message: "rd_kafka_topic_partition_list_new failed")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for entry in entries {
            rd_kafka_topic_partition_list_add(list, entry.topic, entry.partition)?.pointee.offset = entry.offset
        }
        return try body(list)
    }

    static func elements(_ list: List?) -> UnsafeMutableBufferPointer<rd_kafka_topic_partition_t> {
        guard let list, let elements = list.pointee.elems else {
            return UnsafeMutableBufferPointer(start: nil, count: 0)
        }
        return UnsafeMutableBufferPointer(start: elements, count: Int(list.pointee.cnt))
    }

    static func partitions(_ list: List?) -> [KafkaTopicPartition] {
        elements(list).map { KafkaTopicPartition(topic: String(cString: $0.topic), partition: $0.partition) }
    }

    static func offsets(_ list: List?) -> [KafkaTopicPartitionOffset] {
        elements(list).map {
            KafkaTopicPartitionOffset(topic: String(cString: $0.topic), partition: $0.partition, offset: $0.offset)
        }
    }

    /// The first per-partition error librdkafka set in a list (commit results).
    static func firstError(_ list: List, code: KafkaError.Code, _ message: String) -> KafkaError? {
        for element in elements(list) where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return kafkaError(
                code, message, rdError: element.err, topic: String(cString: element.topic), partition: element.partition
            )
        }
        return nil
    }
}

import CRdKafka

extension RDKafkaClient {
    /// Per partition, the earliest offset whose record timestamp is at or after `milliseconds` (epoch),
    /// or nil where the partition holds no such record (yet). Blocks: call through `runBlocking`.
    func offsetsForTimes(
        topic: String,
        partitions: [Int32],
        milliseconds: Int64,
        timeout: Duration
    ) throws -> [Int32: Int64?] {
        try RDKafkaTopicPartitionList.withList(partitions.map { (topic: topic, partition: $0, offset: milliseconds) }) {
            list in
            let error = rd_kafka_offsets_for_times(handle, list, timeout.kafkaMilliseconds)
            switch error {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                break
            case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TRANSPORT:
                throw kafkaError(
                    .timeout, "no offsets for time \(milliseconds) within \(timeout)", rdError: error, topic: topic)
            default:
                throw kafkaError(.metadata, "offsets for time \(milliseconds) failed", rdError: error, topic: topic)
            }
            if let failed = RDKafkaTopicPartitionList.firstError(list, code: .metadata, "offsets for time failed") {
                throw failed
            }
            var result: [Int32: Int64?] = [:]
            for element in RDKafkaTopicPartitionList.elements(list) {
                // -1 (RD_KAFKA_OFFSET_END): no record at or after that time.
                result.updateValue(element.offset >= 0 ? element.offset : nil, forKey: element.partition)
            }
            return result
        }
    }
}

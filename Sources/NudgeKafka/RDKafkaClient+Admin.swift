import CRdKafka

extension RDKafkaClient {
    /// Creates topics; a topic that already exists counts as created. Blocks: call through `runBlocking`.
    func createTopics(_ specs: [KafkaTopicSpec], timeout: Duration) throws {
        guard !specs.isEmpty else { return }
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        var errorText = [CChar](repeating: 0, count: 512)
        for spec in specs {
            guard
                let topic = rd_kafka_NewTopic_new(
                    spec.name, spec.partitions, spec.replicationFactor, &errorText, errorText.count
                )
            else {
                throw KafkaError(
                    code: .admin, message: "invalid topic spec: \(String(cBuffer: errorText))", topic: spec.name)
            }
            newTopics.append(topic)
            for (key, value) in spec.config.sorted(by: { $0.key < $1.key }) {
                let error = rd_kafka_NewTopic_set_config(topic, key, value)
                guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw kafkaError(.admin, "invalid topic config \(key)=\(value)", rdError: error, topic: spec.name)
                }
            }
        }

        guard let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw KafkaError(code: .admin, message: "rd_kafka_AdminOptions_new failed")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.kafkaMilliseconds, &errorText, errorText.count)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.kafkaMilliseconds, &errorText, errorText.count)
        guard let queue = rd_kafka_queue_new(handle) else {
            throw KafkaError(code: .admin, message: "rd_kafka_queue_new failed")
        }
        defer { rd_kafka_queue_destroy(queue) }

        rd_kafka_CreateTopics(handle, &newTopics, newTopics.count, options, queue)
        // The request times out on its own; the margin only guards against a lost result.
        guard let event = rd_kafka_queue_poll(queue, timeout.kafkaMilliseconds &+ 5000) else {
            throw KafkaError(code: .admin, message: "create topics timed out after \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw kafkaError(.admin, "create topics failed", rdError: eventError)
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(code: .admin, message: "create topics returned no result")
        }
        var count = 0
        guard let topics = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for topicResult in UnsafeBufferPointer(start: topics, count: count) {
            let error = rd_kafka_topic_result_error(topicResult)
            guard error != RD_KAFKA_RESP_ERR_NO_ERROR, error != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let detail = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
            throw kafkaError(.admin, "create topic failed (\(detail))", rdError: error, topic: name)
        }
    }

    /// The topic's partition count from a cluster metadata request. Blocks: call through `runBlocking`.
    /// Asks for all topics: a request naming the topic could auto-create it on some brokers.
    func partitionCount(topic: String, timeout: Duration) throws -> Int {
        var metadata: UnsafePointer<rd_kafka_metadata_t>?
        let error = rd_kafka_metadata(handle, 1, nil, &metadata, timeout.kafkaMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw kafkaError(.metadata, "metadata request failed", rdError: error, topic: topic)
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == topic }) else {
            throw KafkaError(code: .topicNotFound, message: "the cluster has no such topic", topic: topic)
        }
        if entry.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART {
            throw kafkaError(.topicNotFound, "the cluster has no such topic", rdError: entry.err, topic: topic)
        }
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw kafkaError(.metadata, "topic metadata has an error", rdError: entry.err, topic: topic)
        }
        return Int(entry.partition_cnt)
    }
}

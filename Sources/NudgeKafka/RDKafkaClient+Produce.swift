import CRdKafka

extension RDKafkaClient {
    /// Enqueues one message (librdkafka copies key, value and headers), to `message.partition` if set,
    /// else where the partitioner puts its key. `id` comes back in its delivery report. Never blocks:
    /// a full queue returns `RD_KAFKA_RESP_ERR__QUEUE_FULL`.
    func produce(_ message: KafkaOutgoingMessage, id: UInt) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer? = nil
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                if let value = header.value {
                    value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(headers, header.name, -1, bytes.baseAddress, bytes.count)
                    }
                } else {
                    _ = rd_kafka_header_add(headers, header.name, -1, nil, 0)
                }
            }
        }
        let error = message.topic.withCString { topic in
            message.key.withUnsafeBytes { key in
                message.value.withUnsafeBytes { value in
                    var values = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 5)
                    values[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    values[0].u.cstr = topic
                    values[1].vtype = RD_KAFKA_VTYPE_KEY
                    values[1].u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                    values[1].u.mem.size = key.count
                    values[2].vtype = RD_KAFKA_VTYPE_VALUE
                    values[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    values[2].u.mem.size = value.count
                    values[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    values[3].u.i = RD_KAFKA_MSG_F_COPY
                    values[4].vtype = RD_KAFKA_VTYPE_OPAQUE
                    values[4].u.ptr = UnsafeMutableRawPointer(bitPattern: id)
                    if let headers {
                        var entry = rd_kafka_vu_t()
                        entry.vtype = RD_KAFKA_VTYPE_HEADERS
                        entry.u.headers = headers
                        values.append(entry)
                    }
                    if let partition = message.partition {
                        var entry = rd_kafka_vu_t()
                        entry.vtype = RD_KAFKA_VTYPE_PARTITION
                        entry.u.i32 = partition
                        values.append(entry)
                    }
                    guard let error = rd_kafka_produceva(handle, values, values.count) else {
                        return RD_KAFKA_RESP_ERR_NO_ERROR
                    }
                    defer { rd_kafka_error_destroy(error) }
                    return rd_kafka_error_code(error)
                }
            }
        }
        // librdkafka owns the headers only once the message is enqueued.
        if error != RD_KAFKA_RESP_ERR_NO_ERROR, let headers { rd_kafka_headers_destroy(headers) }
        return error
    }

    /// Waits for outstanding messages; blocks, so call it through `runBlocking`.
    func flush(timeout: Duration) throws {
        let error = rd_kafka_flush(handle, timeout.kafkaMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw kafkaError(
                .flushTimeout, "\(rd_kafka_outq_len(handle)) messages still outstanding after flush", rdError: error
            )
        }
    }
}

import CLoadKafka
import Foundation

/// A failure of librdkafka, with what was being done.
struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The text of a NUL-terminated C buffer.
func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Builds an `rd_kafka_conf_t` from name=value pairs; the caller hands it to `rd_kafka_new`.
private func makeConf(_ properties: [String: String]) throws -> OpaquePointer {
    guard let conf = rd_kafka_conf_new() else { throw LoadError("rd_kafka_conf_new failed") }
    var errstr = [CChar](repeating: 0, count: 512)
    for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
        if rd_kafka_conf_set(conf, name, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw LoadError("kafka property \(name)=\(value): \(text(errstr))")
        }
    }
    return conf
}

/// Delivery reports, counted by the librdkafka callback (it runs on the thread that calls
/// `rd_kafka_poll`/`rd_kafka_flush`, which is always the producer's owner here).
final class DeliveryCounters: @unchecked Sendable {
    var delivered = 0
    var failed = 0
    var lastError = ""
}

/// A plain librdkafka producer with the Java default partitioner (murmur2), as the brief asks of
/// producers keyed by customer.
final class LoadProducer: @unchecked Sendable {
    private let handle: OpaquePointer
    private var topics: [String: OpaquePointer] = [:]
    let counters = DeliveryCounters()
    private var queued = 0

    init(brokers: String, extra: [String: String] = [:]) throws {
        var properties = [
            "bootstrap.servers": brokers,
            "client.id": "nudge-load",
            "linger.ms": "5",
            "batch.num.messages": "10000",
            "queue.buffering.max.messages": "1000000",
            "queue.buffering.max.kbytes": "1048576",
            "acks": "all",
            "enable.idempotence": "false",
        ]
        for (key, value) in extra { properties[key] = value }
        let conf = try makeConf(properties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(counters).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
            guard let opaque, let message else { return }
            let counters = Unmanaged<DeliveryCounters>.fromOpaque(opaque).takeUnretainedValue()
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                counters.delivered += 1
            } else {
                counters.failed += 1
                counters.lastError = String(cString: rd_kafka_err2str(message.pointee.err))
            }
        }
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            throw LoadError("producer: \(text(errstr))")
        }
        self.handle = handle
    }

    deinit {
        for (_, topic) in topics { rd_kafka_topic_destroy(topic) }
        rd_kafka_destroy(handle)
    }

    private func topic(_ name: String) throws -> OpaquePointer {
        if let topic = topics[name] { return topic }
        guard let tconf = rd_kafka_topic_conf_new() else { throw LoadError("topic conf") }
        var errstr = [CChar](repeating: 0, count: 512)
        rd_kafka_topic_conf_set(tconf, "partitioner", "murmur2_random", &errstr, errstr.count)
        guard let topic = rd_kafka_topic_new(handle, name, tconf) else {
            throw LoadError("topic \(name): \(String(cString: rd_kafka_err2str(rd_kafka_last_error())))")
        }
        topics[name] = topic
        return topic
    }

    /// Queues one record; waits (serving delivery reports) while librdkafka's queue is full.
    func send(topic name: String, key: [UInt8], value: [UInt8]) throws {
        let topic = try topic(name)
        while true {
            let result = value.withUnsafeBytes { valueBytes in
                key.withUnsafeBytes { keyBytes in
                    rd_kafka_produce(
                        topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                        UnsafeMutableRawPointer(mutating: valueBytes.baseAddress), valueBytes.count,
                        keyBytes.baseAddress, keyBytes.count, nil)
                }
            }
            if result == 0 { break }
            let error = rd_kafka_last_error()
            guard error == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
                throw LoadError("produce to \(name): \(String(cString: rd_kafka_err2str(error)))")
            }
            rd_kafka_poll(handle, 5)
        }
        queued += 1
        if queued % 1000 == 0 { rd_kafka_poll(handle, 0) }
    }

    func poll() { rd_kafka_poll(handle, 0) }

    /// Waits for every queued record's delivery report, at most `timeoutMs`.
    func flush(timeoutMs: Int32 = 60_000) throws {
        let error = rd_kafka_flush(handle, timeoutMs)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw LoadError("flush: \(String(cString: rd_kafka_err2str(error)))")
        }
    }
}

/// One consumed record, copied out of librdkafka's memory.
struct LoadRecord {
    var partition: Int32
    var offset: Int64
    var timestampMs: Int64
    var value: [UInt8]
}

/// A plain librdkafka consumer that reads a topic's partitions by assignment (no group rebalance),
/// the ceiling a consumer-group member could reach on the same broker.
final class LoadConsumer: @unchecked Sendable {
    private let handle: OpaquePointer

    init(brokers: String, groupId: String, extra: [String: String] = [:]) throws {
        var properties = [
            "bootstrap.servers": brokers,
            "client.id": "nudge-load",
            "group.id": groupId,
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": "false",
        ]
        for (key, value) in extra { properties[key] = value }
        let conf = try makeConf(properties)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errstr, errstr.count) else {
            throw LoadError("consumer: \(text(errstr))")
        }
        self.handle = handle
        rd_kafka_poll_set_consumer(handle)
    }

    deinit {
        rd_kafka_consumer_close(handle)
        rd_kafka_destroy(handle)
    }

    /// Number of partitions of `topic` from the broker's metadata.
    func partitionCount(_ topic: String) throws -> Int32 {
        guard let rkt = rd_kafka_topic_new(handle, topic, nil) else { throw LoadError("topic \(topic)") }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let error = rd_kafka_metadata(handle, 0, rkt, &metadata, 10_000)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw LoadError("metadata \(topic): \(String(cString: rd_kafka_err2str(error)))")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0 else { throw LoadError("topic \(topic) not found") }
        return metadata.pointee.topics[0].partition_cnt
    }

    /// Reads every partition of `topic` from `offset` (RD_KAFKA_OFFSET_BEGINNING / _END or a number).
    func assign(topic: String, partitions: Int32, offset: Int64) throws {
        guard let list = rd_kafka_topic_partition_list_new(partitions) else { throw LoadError("list") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<partitions {
            rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = offset
        }
        let error = rd_kafka_assign(handle, list)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw LoadError("assign \(topic): \(String(cString: rd_kafka_err2str(error)))")
        }
    }

    /// Reads one partition from an explicit offset (diagnostics: does the broker answer a fetch there?).
    func assign(topic: String, partition: Int32, offset: Int64) throws {
        guard let list = rd_kafka_topic_partition_list_new(1) else { throw LoadError("list") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = offset
        let error = rd_kafka_assign(handle, list)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw LoadError("assign \(topic): \(String(cString: rd_kafka_err2str(error)))")
        }
    }

    func assign(_ starts: [(String, Int32, Int64)]) throws {
        guard let list = rd_kafka_topic_partition_list_new(Int32(starts.count)) else { throw LoadError("list") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (topic, partition, offset) in starts {
            rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = offset
        }
        let error = rd_kafka_assign(handle, list)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw LoadError("assign: \(String(cString: rd_kafka_err2str(error)))") }
    }

    /// One record, or nil after `timeoutMs` without one. Errors other than end-of-partition throw.
    func poll(timeoutMs: Int32, copyValue: Bool = true) throws -> LoadRecord? {
        guard let message = rd_kafka_consumer_poll(handle, timeoutMs) else { return nil }
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
            throw LoadError("consume: \(String(cString: rd_kafka_err2str(m.err)))")
        }
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        var value: [UInt8] = []
        if copyValue, let payload = m.payload {
            value = Array(UnsafeRawBufferPointer(start: payload, count: m.len))
        }
        return LoadRecord(partition: m.partition, offset: m.offset, timestampMs: timestamp, value: value)
    }

    /// Low and high watermarks of each partition, asked of the broker.
    func highWatermarks(topic: String, partitions: Int32) throws -> [Int64] {
        var result: [Int64] = []
        for partition in 0..<partitions {
            var low: Int64 = 0
            var high: Int64 = 0
            let error = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, 10_000)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw LoadError("watermarks \(topic)[\(partition)]: \(String(cString: rd_kafka_err2str(error)))")
            }
            result.append(high)
        }
        return result
    }

    /// The offsets this consumer's group has committed on `topic` (negative: none yet).
    func committed(topic: String, partitions: Int32) throws -> [Int64] {
        guard let list = rd_kafka_topic_partition_list_new(partitions) else { throw LoadError("list") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<partitions { rd_kafka_topic_partition_list_add(list, topic, partition) }
        let error = rd_kafka_committed(handle, list, 10_000)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw LoadError("committed \(topic): \(String(cString: rd_kafka_err2str(error)))")
        }
        return (0..<Int(list.pointee.cnt)).map { list.pointee.elems[$0].offset }
    }
}

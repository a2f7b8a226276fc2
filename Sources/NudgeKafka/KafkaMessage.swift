import Foundation

/// A message header. Kafka allows repeated names and null values.
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}

/// A partition of a topic.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// An offset of a partition. When committing, `offset` is the next offset to read (last processed + 1),
/// as Kafka defines it; `KafkaMessage.nextOffset` gives it for a processed message.
public struct KafkaTopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }
    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}

/// A message read by a `KafkaConsumer`, copied out of librdkafka's memory.
public struct KafkaMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// The producer's or broker's timestamp (per topic config), nil when the broker sent none.
    public var timestamp: Date?

    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        timestamp: Date? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }

    /// The offset to commit once this message is processed.
    public var nextOffset: KafkaTopicPartitionOffset {
        KafkaTopicPartitionOffset(topic: topic, partition: partition, offset: offset + 1)
    }
}

extension Sequence<KafkaMessage> {
    /// The offsets to commit once these messages are processed: per partition, the offset after
    /// its last message here (a poll batch holds each partition's messages in order).
    public var nextOffsets: [KafkaTopicPartitionOffset] {
        var next: [KafkaTopicPartition: KafkaTopicPartitionOffset] = [:]
        for message in self { next[message.topicPartition] = message.nextOffset }
        return Array(next.values)
    }
}

/// A message to produce. The key picks the partition (same key, same partition, in order) unless
/// `partition` names one explicitly.
public struct KafkaOutgoingMessage: Sendable, Hashable {
    public var topic: String
    public var key: [UInt8]
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// The partition to write to; nil lets the partitioner pick it from the key. An outbox sets it so a
    /// message lands where its recovery scan (`KafkaPartitionReader`) will look for it.
    public var partition: Int32?

    public init(
        topic: String,
        key: [UInt8],
        value: [UInt8],
        headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
    }
}

/// Where the broker stored a produced message.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

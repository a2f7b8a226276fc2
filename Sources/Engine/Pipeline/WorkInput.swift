import EngineCore
import NudgeKafka

/// One input for a partition's pipeline: a decoded event from Kafka, or a due timer.
struct WorkInput: Sendable {
    enum Kind: Sendable {
        case event(Event)
        case timer(id: String, due: Timestamp)
    }

    var customerId: String
    var kind: Kind
    /// Where a Kafka-sourced input came from, to skip it when replayed.
    var source: KafkaTopicPartitionOffset?
}

/// A Kafka record that could not be decoded, headed for the dead-letter topic.
struct DeadLetter: Sendable {
    var message: KafkaMessage
    var code: String
    var reason: String
}

extension KafkaTopicPartitionOffset {
    /// Names the partition in a customer's applied offsets.
    var markerKey: String { "\(topic)/\(partition)" }
}

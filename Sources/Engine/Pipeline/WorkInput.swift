import EngineCore
import Ingest
import NudgeKafka

/// One input for a partition's pipeline: a decoded event from Kafka, a due timer, or the replan
/// of an existing customer after a deploy (`Input.replan`).
struct WorkInput: Sendable {
    enum Kind: Sendable {
        case event(Event)
        case timer(id: String, due: Timestamp)
        case replan
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

extension WorkInput {
    /// Decodes Kafka records of one partition into inputs, and the undecodable ones into dead
    /// letters. Runs on the partition's worker, so partitions decode in parallel.
    static func decode(_ messages: [KafkaMessage], with decoder: EventDecoder) -> ([WorkInput], [DeadLetter]) {
        var inputs: [WorkInput] = []
        var deadLetters: [DeadLetter] = []
        inputs.reserveCapacity(messages.count)
        for message in messages {
            let source = KafkaTopicPartitionOffset(
                topic: message.topic, partition: message.partition, offset: message.offset)
            switch decoder.decode(message.value, recordId: "\(message.topic)/\(message.partition)/\(message.offset)") {
            case .success(let event):
                guard let customerId = event.customerId else { continue }
                inputs.append(WorkInput(customerId: customerId, kind: .event(event), source: source))
            case .failure(let reason):
                deadLetters.append(DeadLetter(message: message, code: reason.code, reason: reason.message))
            }
        }
        return (inputs, deadLetters)
    }
}

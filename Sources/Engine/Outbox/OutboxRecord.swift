import EngineCore
import Foundation
import NudgeKafka

/// One Kafka record the engine owes the world: written to the customer's outbox together with
/// the state change that produced it, produced afterwards, and deleted once delivered. `id` is
/// deterministic and travels in a header, so a recovery can tell which records already made it.
struct OutboxRecord: Sendable, Equatable, Codable {
    var id: String
    var topic: String
    /// Explicit partition (the engine's own partition number), or nil for the key's partition.
    var partition: Int32?
    var key: String
    var value: String

    static let idHeader = "nudge-id"

    /// An event of a merged anonymous id, re-keyed to the known customer for the events topic,
    /// where it arrives on that customer's partition. Produced directly: the id makes a replay
    /// recognisable downstream.
    static func forwarding(_ event: Event, to customerId: String, topic: String) throws -> OutboxRecord {
        OutboxRecord(
            id: "fwd:\(event.messageId)", topic: topic, partition: nil, key: customerId,
            value: try RecordJSON.text(event.reassigned(to: customerId).segmentObject))
    }

    var kafkaMessage: KafkaOutgoingMessage {
        KafkaOutgoingMessage(
            topic: topic, key: Array(key.utf8), value: Array(value.utf8),
            headers: [KafkaHeader(name: Self.idHeader, value: Array(id.utf8))], partition: partition)
    }

    func encoded() throws -> String {
        try RecordJSON.text(jsonValue)
    }

    static func decode(_ bytes: [UInt8]) throws -> OutboxRecord {
        try StateCoding.decoder.decode(OutboxRecord.self, from: Data(bytes))
    }

    /// The id a produced Kafka message carries, if it came from an outbox.
    static func id(of message: KafkaMessage) -> String? {
        guard let header = message.headers.first(where: { $0.name == idHeader }), let value = header.value else {
            return nil
        }
        return String(decoding: value, as: UTF8.self)
    }
}

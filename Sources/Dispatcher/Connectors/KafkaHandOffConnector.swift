import EngineCore
import Foundation
import NudgeKafka

/// Hands the rendered message to another system through its Kafka topic (a CRM, a call-centre
/// queue, a partner's own sender), keyed by customer, with the message id in a header so the
/// consumer can recognise a repeat.
public struct KafkaHandOffConnector: MessageConnector {
    public let name: String
    private let topic: String
    private let producer: KafkaProducer

    public init(name: String, settings: KafkaHandOffSettings, producer: KafkaProducer) {
        self.name = name
        self.topic = settings.topic
        self.producer = producer
    }

    public func deliver(_ message: RenderedMessage, recipient: String?) async throws(DeliveryFailure) -> DeliveryReceipt {
        let outbound = message.message
        let record: Value = .object([
            "message_id": .string(outbound.messageId), "customer_id": .string(outbound.customerId),
            "channel": .string(outbound.channel), "template": .string(outbound.template),
            "scenario": .string(outbound.scenario), "step": .string(outbound.step),
            "content": .object(message.parts.mapValues(Value.string)), "variables": .object(outbound.variables),
            "created_at": .string(ISO8601.format(outbound.createdAt)),
        ])
        do {
            let value = try JSONEncoder().encode(record)
            let report = try await producer.send(
                topic: topic, key: Array(outbound.customerId.utf8), value: Array(value),
                headers: [KafkaHeader(name: "nudge-message-id", value: Array(outbound.messageId.utf8))])
            return DeliveryReceipt(providerMessageId: nil, detail: "\(report.topic)/\(report.partition)@\(report.offset)")
        } catch {
            throw .transient("kafka hand-off to \(topic): \(error)")
        }
    }
}

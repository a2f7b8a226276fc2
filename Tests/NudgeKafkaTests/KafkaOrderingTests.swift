import Foundation
import NudgeKafka
import Testing

@Suite("Kafka ordering", .serialized)
struct KafkaOrderingTests {
    static let keyCount = 100
    static let messagesPerKey = 100

    @Test("10,000 keyed messages: per key in order and always on one partition", .timeLimit(.minutes(3)))
    func keyedMessagesKeepOrder() async throws {
        let topic = try await KafkaTestSupport.createTopic(partitions: 4)
        let producer = try KafkaProducer(
            config: KafkaProducerConfig(client: KafkaTestSupport.client),
            logger: KafkaTestSupport.logger
        )
        // Round-robin over keys so every key's messages interleave with the others'.
        var outgoing: [KafkaOutgoingMessage] = []
        for sequence in 0..<Self.messagesPerKey {
            for key in 0..<Self.keyCount {
                outgoing.append(
                    KafkaOutgoingMessage(topic: topic, key: Array("customer-\(key)"), value: Array("\(sequence)"))
                )
            }
        }
        let sendStart = ContinuousClock.now
        let reports = try await producer.send(outgoing)
        let sendTime = ContinuousClock.now - sendStart
        #expect(reports.count == outgoing.count)
        var producedPartition: [String: Int32] = [:]
        for (message, report) in zip(outgoing, reports) {
            let key = message.key.string
            #expect(producedPartition[key, default: report.partition] == report.partition)
            producedPartition[key] = report.partition
        }
        #expect(Set(producedPartition.values).count > 1)
        await producer.shutdown()

        let consumer = try KafkaConsumer(
            config: KafkaTestSupport.consumerConfig(group: KafkaTestSupport.uniqueName("order"), topic: topic),
            logger: KafkaTestSupport.logger
        )
        let consumeStart = ContinuousClock.now
        let messages = try await KafkaTestSupport.collect(outgoing.count, from: consumer, timeout: .seconds(90))
        let consumeTime = ContinuousClock.now - consumeStart
        await consumer.close()
        print("produced 10,000 in \(sendTime), consumed in \(consumeTime)")

        #expect(messages.count == outgoing.count)
        var nextSequence: [String: Int] = [:]
        var outOfOrder = 0
        for message in messages {
            let key = message.key?.string ?? ""
            #expect(message.partition == producedPartition[key])
            if Int(message.value.string) != nextSequence[key, default: 0] { outOfOrder += 1 }
            nextSequence[key] = (Int(message.value.string) ?? -1) + 1
        }
        #expect(outOfOrder == 0)
        #expect(nextSequence.count == Self.keyCount)
        #expect(nextSequence.values.allSatisfy { $0 == Self.messagesPerKey })
    }
}

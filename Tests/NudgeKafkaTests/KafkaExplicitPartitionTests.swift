import Foundation
import NudgeKafka
import Testing

@Suite("Kafka explicit partition", .serialized)
struct KafkaExplicitPartitionTests {
    @Test("a message with an explicit partition lands exactly there, whatever its key", .timeLimit(.minutes(2)))
    func explicitPartitionWins() async throws {
        let topic = try await KafkaTestSupport.createTopic(partitions: 4)
        let producer = try KafkaProducer(
            config: KafkaProducerConfig(client: KafkaTestSupport.client),
            logger: KafkaTestSupport.logger
        )
        // Same key everywhere: the partitioner alone would put them all on one partition.
        let outgoing = (0..<12).map {
            KafkaOutgoingMessage(
                topic: topic, key: Array("same-key"), value: Array("\($0)"), partition: Int32($0 % 4)
            )
        }
        let reports = try await producer.send(outgoing)
        let single = try await producer.send(topic: topic, key: Array("same-key"), value: Array("12"), partition: 2)
        // A partition the topic does not have fails, typed, instead of going elsewhere.
        await #expect(throws: KafkaError.self) {
            try await producer.send(topic: topic, key: Array("same-key"), value: Array("x"), partition: 9)
        }
        await producer.shutdown()
        #expect(reports.map(\.partition) == outgoing.map { $0.partition ?? -1 })
        #expect(single.partition == 2)

        let reader = try KafkaPartitionReader(config: KafkaTestSupport.client, logger: KafkaTestSupport.logger)
        for partition in Int32(0)..<4 {
            let read = try await reader.readAll(topic: topic, partition: partition, from: 0)
            var expected = outgoing.filter { $0.partition == partition }.map { $0.value.string }
            if partition == 2 { expected.append("12") }
            #expect(read.map { $0.value.string } == expected, "partition \(partition)")
            #expect(read.allSatisfy { $0.partition == partition && $0.key == Array("same-key") })
            #expect(read.map(\.offset) == (0..<Int64(expected.count)).map { $0 })
        }
        await reader.close()
    }
}

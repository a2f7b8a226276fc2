import NudgeKafka
import Testing

/// `KafkaPartitioner` must agree with the producer's partitioner: the engine's replan uses it
/// to find the partition that owns a customer, and a disagreement would replan a customer from
/// a partition that does not own it (safe, version-checked, but with its timers in the wrong place).
@Suite("Kafka partitioner", .serialized)
struct KafkaPartitionerTests {
    @Test("the partition computed for a key is where the producer put it", .timeLimit(.minutes(1)))
    func matchesTheProducer() async throws {
        let partitions: Int32 = 7
        let topic = try await KafkaTestSupport.createTopic(partitions: partitions)
        let producer = try KafkaProducer(
            config: KafkaProducerConfig(client: KafkaTestSupport.client), logger: KafkaTestSupport.logger)
        // Lengths 0 to 3 modulo 4 and bytes above 0x7f exercise every branch of murmur2.
        let keys = (0..<200).map { "customer-\($0)" } + ["a", "ab", "abc", "ünïcødé-ß", "u1"]
        let reports = try await producer.send(
            keys.map { KafkaOutgoingMessage(topic: topic, key: Array($0.utf8), value: Array("v".utf8)) })
        for (key, report) in zip(keys, reports) {
            #expect(
                KafkaPartitioner.partition(forKey: Array(key.utf8), partitions: Int(partitions)) == report.partition,
                "key \(key)")
        }
        #expect(Set(reports.map(\.partition)).count == Int(partitions))
        await producer.shutdown()
    }
}

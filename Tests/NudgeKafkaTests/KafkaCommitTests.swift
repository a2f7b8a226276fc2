import Foundation
import NudgeKafka
import Testing

@Suite("Kafka commits", .serialized)
struct KafkaCommitTests {
    @Test("a new member resumes exactly after the committed offsets", .timeLimit(.minutes(2)))
    func resumesAfterCommit() async throws {
        let topic = try await KafkaTestSupport.createTopic(partitions: 2)
        let group = KafkaTestSupport.uniqueName("resume")
        let total = 200
        let processedCount = 70

        let producer = try KafkaProducer(
            config: KafkaProducerConfig(client: KafkaTestSupport.client),
            logger: KafkaTestSupport.logger
        )
        let outgoing = (0..<total).map {
            KafkaOutgoingMessage(
                topic: topic,
                key: Array("key-\($0 % 7)"),
                value: Array("\($0)"),
                headers: [KafkaHeader(name: "seq", value: Array("\($0)")), KafkaHeader(name: "empty", value: nil)]
            )
        }
        _ = try await producer.send(outgoing)
        await producer.shutdown()

        // First member: process a prefix, commit it per partition, leave.
        let first = try KafkaConsumer(
            config: KafkaTestSupport.consumerConfig(group: group, topic: topic),
            logger: KafkaTestSupport.logger
        )
        let read = try await KafkaTestSupport.collect(processedCount, from: first, timeout: .seconds(60))
        let processed = read.prefix(processedCount)
        #expect(processed.allSatisfy { $0.headers.first?.value == $0.value })
        #expect(processed.allSatisfy { $0.headers.last == KafkaHeader(name: "empty", value: nil) })
        #expect(processed.allSatisfy { $0.timestamp != nil })
        var commits: [KafkaTopicPartition: KafkaTopicPartitionOffset] = [:]
        for message in processed { commits[message.topicPartition] = message.nextOffset }
        try await first.commit(Array(commits.values))
        let committed = try await first.committed(Array(commits.keys))
        #expect(Set(committed) == Set(commits.values))
        await first.close()

        // Second member, same group: gets exactly what was not processed.
        let second = try KafkaConsumer(
            config: KafkaTestSupport.consumerConfig(group: group, topic: topic),
            logger: KafkaTestSupport.logger
        )
        let rest = try await KafkaTestSupport.collect(total - processedCount, from: second, timeout: .seconds(60))
        await second.close()

        let processedIds = Set(processed.map { $0.value.string })
        let restIds = rest.map { $0.value.string }
        #expect(processedIds.isDisjoint(with: restIds))
        #expect(processedIds.union(restIds) == Set((0..<total).map { "\($0)" }))
        #expect(rest.count == total - processedCount)
        for (partition, offset) in commits {
            let resumedAt = rest.filter { $0.topicPartition == partition }.map(\.offset).min()
            #expect(resumedAt == nil || resumedAt == offset.offset)
        }
    }
}

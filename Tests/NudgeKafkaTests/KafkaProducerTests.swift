import Foundation
import NudgeKafka
import Testing

@Suite("Kafka producer", .serialized)
struct KafkaProducerTests {
    @Test("producing to a broker that is not there fails with a typed error", .timeLimit(.minutes(1)))
    func unreachableBrokerFails() async throws {
        let config = KafkaProducerConfig(
            client: KafkaConfig(brokers: ["127.0.0.1:1"], clientId: "nudge-tests"),
            messageTimeout: .seconds(2),
            shutdownFlushTimeout: .milliseconds(500)
        )
        let producer = try KafkaProducer(config: config, logger: KafkaTestSupport.logger)
        let started = ContinuousClock.now
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: "nowhere", key: Array("k"), value: Array("v"))
        }
        #expect(error?.code == .delivery)
        #expect(error?.libraryErrorName == "_MSG_TIMED_OUT")
        #expect(error?.topic == "nowhere")
        #expect(ContinuousClock.now - started < .seconds(15))
        await producer.shutdown()
        await #expect(throws: KafkaError.self) {
            try await producer.send(topic: "nowhere", key: Array("k"), value: Array("v"))
        }
    }

    @Test("an unknown topic has no metadata", .timeLimit(.minutes(1)))
    func unknownTopicMetadata() async throws {
        let admin = try KafkaAdmin(config: KafkaTestSupport.client, logger: KafkaTestSupport.logger)
        let error = await #expect(throws: KafkaError.self) {
            try await admin.metadata(topic: KafkaTestSupport.uniqueName("missing"))
        }
        #expect(error?.code == .topicNotFound)
        await admin.shutdown()
    }
}

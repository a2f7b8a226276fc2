import Foundation
import NudgeKafka
import Testing

@Suite("Kafka partition reader", .serialized)
struct KafkaPartitionReaderTests {
    static let partition: Int32 = 1

    /// Produces `count` messages numbered from `first` to `partition`, each with headers to check.
    static func produce(_ topic: String, first: Int = 0, count: Int) async throws {
        let producer = try KafkaProducer(
            config: KafkaProducerConfig(client: KafkaTestSupport.client),
            logger: KafkaTestSupport.logger
        )
        let outgoing = (first..<first + count).map {
            KafkaOutgoingMessage(
                topic: topic,
                key: Array("key-\($0)"),
                value: Array("value-\($0)"),
                headers: [KafkaHeader(name: "seq", value: Array("\($0)")), KafkaHeader(name: "empty", value: nil)],
                partition: partition
            )
        }
        let reports = try await producer.send(outgoing)
        #expect(reports.map(\.offset) == (first..<first + count).map { Int64($0) })
        await producer.shutdown()
    }

    @Test("reads exactly [from, high) in order with keys, values and headers intact", .timeLimit(.minutes(2)))
    func readsRange() async throws {
        let topic = try await KafkaTestSupport.createTopic(partitions: 2)
        try await Self.produce(topic, count: 30)
        let reader = try KafkaPartitionReader(config: KafkaTestSupport.client, logger: KafkaTestSupport.logger)

        let read = try await reader.readAll(topic: topic, partition: Self.partition, from: 10)
        #expect(read.map(\.offset) == (10..<30).map { Int64($0) })
        for message in read {
            #expect(message.topic == topic && message.partition == Self.partition)
            #expect(message.key == Array("key-\(message.offset)"))
            #expect(message.value == Array("value-\(message.offset)"))
            #expect(
                message.headers == [
                    KafkaHeader(name: "seq", value: Array("\(message.offset)")), KafkaHeader(name: "empty", value: nil),
                ]
            )
        }
        // Inside the last batch the broker wrote (what Tansu's ListOffsets miscounts).
        let tail = try await reader.readAll(topic: topic, partition: Self.partition, from: 28)
        #expect(tail.map(\.offset) == [28, 29])
        // Below the low watermark is raised to it.
        let all = try await reader.readAll(topic: topic, partition: Self.partition, from: -2)
        #expect(all.map(\.offset) == (0..<30).map { Int64($0) })

        // The same reader reads again, after more was produced, from where the first read ended.
        try await Self.produce(topic, first: 30, count: 5)
        let more = try await reader.readAll(topic: topic, partition: Self.partition, from: 28)
        #expect(more.map(\.offset) == (28..<35).map { Int64($0) })
        #expect(more.map { $0.value.string } == (28..<35).map { "value-\($0)" })
        await reader.close()
    }

    @Test("from at or beyond the high watermark, or on an empty partition, reads nothing", .timeLimit(.minutes(2)))
    func readsNothingPastHigh() async throws {
        let topic = try await KafkaTestSupport.createTopic(partitions: 2)
        try await Self.produce(topic, count: 5)
        let reader = try KafkaPartitionReader(config: KafkaTestSupport.client, logger: KafkaTestSupport.logger)
        #expect(try await reader.readAll(topic: topic, partition: Self.partition, from: 5).isEmpty)
        #expect(try await reader.readAll(topic: topic, partition: Self.partition, from: 1_000).isEmpty)
        #expect(try await reader.readAll(topic: topic, partition: 0, from: 0, timeout: .seconds(10)).isEmpty)
        await reader.close()
        let error = await #expect(throws: KafkaError.self) {
            try await reader.readAll(topic: topic, partition: Self.partition, from: 0)
        }
        #expect(error?.code == .closed)
    }

    @Test("watermarks match what was produced", .timeLimit(.minutes(2)))
    func watermarksMatch() async throws {
        let topic = try await KafkaTestSupport.createTopic(partitions: 2)
        let reader = try KafkaPartitionReader(config: KafkaTestSupport.client, logger: KafkaTestSupport.logger)
        try await Self.produce(topic, count: 17)
        let produced = try await reader.watermarks(topic: topic, partition: Self.partition)
        #expect(produced.low == 0 && produced.high == 17)
        try await Self.produce(topic, first: 17, count: 3)
        let more = try await reader.watermarks(topic: topic, partition: Self.partition)
        #expect(more.low == 0 && more.high == 20)
        let empty = try await reader.watermarks(topic: topic, partition: 0)
        #expect(empty.low == 0 && empty.high == 0)
        await reader.close()
    }

    /// No broker answers at 127.0.0.1:1, so the read cannot finish within its timeout.
    @Test("a read that cannot finish in time throws a typed timeout", .timeLimit(.minutes(1)))
    func readTimesOut() async throws {
        let client = KafkaConfig(brokers: ["127.0.0.1:1"], clientId: "nudge-tests")
        let reader = try KafkaPartitionReader(config: client, logger: KafkaTestSupport.logger)
        let started = ContinuousClock.now
        let error = await #expect(throws: KafkaError.self) {
            try await reader.readAll(topic: "nowhere", partition: 0, from: 0, timeout: .seconds(2))
        }
        #expect(error?.code == .timeout, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(10))
        await reader.close()
    }
}

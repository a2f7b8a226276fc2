import EngineCore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import NudgeKafka
import Testing

@Suite("Graceful shutdown and metrics", .serialized, .timeLimit(.minutes(3)))
struct GracefulShutdownTests {
    @Test func sigtermDrainsCommitsAndExitsCleanly() async throws {
        let env = try await EngineTestEnvironment("sigterm", scenarios: ["ping.yaml": CrashRecoveryTests.ping])
        try await env.createTopics()
        let engine = try EngineProcess(environment: env.childEnvironment, label: "sigterm")
        defer { engine.kill9() }
        let producer = try env.producer()
        let events = (0..<300).map { index in
            SegmentEvent(
                event: "Ping", customerId: "customer-\(index % 30)", messageId: "term-\(index)",
                properties: ["n": .int(Int64(index))])
        }
        // Events no scenario listens to: taken in and committed, never loaded nor written.
        let inert = (0..<40).map { index in
            SegmentEvent(
                type: index % 2 == 0 ? "page" : "track", event: "Pong",
                customerId: index < 20 ? "idle-\(index)" : "customer-\(index % 30)", messageId: "inert-\(index)")
        }
        try await env.send(events + inert, with: producer)
        try await env.sendRaw([("bad", "{broken")], with: producer)
        let sent = try await env.waitForOutbound(timeout: .seconds(60)) { $0.count >= 300 }
        #expect(sent.count == 300)
        try engine.checkRunning()

        // The operations endpoint of the child reports what it did.
        let port = try #require(engine.listeningPort)
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
        // Inert events and the dead letter may be taken in after the last message went out.
        var metrics = ""
        let settled = ContinuousClock.now + .seconds(30)
        repeat {
            let (body, _) = try await URLSession.shared.data(from: url)
            metrics = String(decoding: body, as: UTF8.self)
            if metrics.contains("nudge_engine_events_in_total 340"), metrics.contains("dead_lettered_total") { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < settled
        #expect(metrics.contains("nudge_engine_events_in_total 340"))
        #expect(metrics.contains("nudge_engine_events_inert_total 40"))
        let redis = env.redis()
        for index in 0..<20 {
            let key = "\(env.config.redisKeyPrefix):cust:{idle-\(index)}"
            #expect(try await redis.send("EXISTS", key).int == 0, "\(key) was written")
        }
        #expect(metrics.contains(#"nudge_engine_messages_out_total{channel="email"} 300"#))
        #expect(metrics.contains(#"nudge_engine_dead_lettered_total{reason="not_json"} 1"#))

        // The gauges refresh beside the pipeline (every 5 s): each partition reports no lag left.
        func lags(_ text: String) -> [String: Double] {
            var found: [String: Double] = [:]
            for line in text.split(separator: "\n") where line.hasPrefix("nudge_engine_consumer_lag{") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let value = Double(parts[1]) { found[String(parts[0])] = value }
            }
            return found
        }
        let gaugesDue = ContinuousClock.now + .seconds(20)
        repeat {
            let (body, _) = try await URLSession.shared.data(from: url)
            metrics = String(decoding: body, as: UTF8.self)
            if lags(metrics).count == EngineTestEnvironment.partitions, lags(metrics).values.allSatisfy({ $0 == 0 }) {
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        } while ContinuousClock.now < gaugesDue
        #expect(lags(metrics).count == EngineTestEnvironment.partitions, "\(lags(metrics))")
        #expect(lags(metrics).values.allSatisfy { $0 == 0 }, "\(lags(metrics))")
        #expect(metrics.contains("nudge_engine_timers_pending{partition="))

        engine.process.terminate()
        let exited = ContinuousClock.now + .seconds(20)
        while engine.process.isRunning, ContinuousClock.now < exited { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!engine.process.isRunning)
        #expect(engine.process.terminationReason == .exit && engine.process.terminationStatus == 0)
        #expect(engine.log.contains("engine stopped"))

        // Everything consumed is committed: a new member of the group starts at the end.
        let consumer = try KafkaConsumer(
            config: KafkaConsumerConfig(
                client: env.config.kafka, groupId: env.config.engine.groupId, topics: [env.config.topics.events]),
            logger: env.logger)
        let partitions = (0..<Int32(EngineTestEnvironment.partitions)).map {
            KafkaTopicPartition(topic: env.config.topics.events, partition: $0)
        }
        let committed = try await consumer.committed(partitions)
        await consumer.close()
        let reader = try KafkaPartitionReader(config: env.config.kafka, logger: env.logger)
        for offset in committed {
            let (_, high) = try await reader.watermarks(topic: offset.topic, partition: offset.partition)
            #expect(offset.offset == high, "partition \(offset.partition) committed \(offset.offset) of \(high)")
        }
        await reader.close()
        await producer.shutdown()
    }
}

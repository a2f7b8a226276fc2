import EngineCore
import Foundation
import NudgeKafka
import NudgeRedis
import Testing

/// Effectively once: engine processes are killed with SIGKILL at random points while events
/// stream in; the outbound topic ends up with exactly the messages the pure core says it should,
/// and the report counters with exactly one entry and one completion per instance. Each test runs
/// on a single Redis and on Redis Cluster.
@Suite("Crash recovery and partition handover", .serialized, .timeLimit(.minutes(6)))
struct CrashRecoveryTests {
    static let ping = """
        id: crash-ping
        version: 1
        name: One email per ping
        owner: tests
        status: active
        trigger:
          event: Ping
        entry:
          key: event.properties.n
          once: true
        start: hello
        steps:
          hello:
            send:
              channel: email
              template: ping
              variables:
                n: event.properties.n
            next: done
          done:
            end: {}
        """

    static let delayed = """
        id: delayed-ping
        version: 1
        name: One SMS some seconds after a ping
        owner: tests
        status: active
        trigger:
          event: Ping
        entry:
          key: event.properties.n
          once: true
        start: later
        steps:
          later:
            wait: 12s
            next: hello
          hello:
            send:
              channel: sms
              template: ping
            next: done
          done:
            end: {}
        """

    /// The message ids the pure core produces for these events: the runtime must match them.
    static func expectedMessageIds(scenario: String, events: [SegmentEvent]) throws -> [String] {
        let loaded = try ScenarioLoader.load(yaml: scenario, file: "scenario.yaml").get()
        let engine = ScenarioEngine(catalog: try ScenarioCatalog([loaded]))
        var states: [String: CustomerState] = [:]
        var ids: [String] = []
        for segment in events {
            guard case .object(let object) = try JSONDecoder().decode(Value.self, from: Data(segment.json)) else {
                continue
            }
            let event = try Event(segment: object, fallbackMessageId: segment.messageId)
            let state = states[segment.customerId] ?? CustomerState(customerId: segment.customerId)
            let transition = engine.transition(state, .event(event), now: event.timestamp)
            states[segment.customerId] = transition.state
            for case .send(let send) in transition.effects { ids.append(send.messageId) }
        }
        return ids
    }

    @Test(.sharesRedisCluster, arguments: [RedisConfig.Mode.standalone, .cluster])
    func killedEnginesNeitherLoseNorDuplicateMessages(redis mode: RedisConfig.Mode) async throws {
        let env = try await EngineTestEnvironment("crash", scenarios: ["ping.yaml": Self.ping], redis: mode)
        try await env.createTopics()
        let events = (0..<10_000).map { index in
            SegmentEvent(
                event: "Ping", customerId: "customer-\(index % 500)", messageId: "ping-\(index)",
                properties: ["n": .int(Int64(index))])
        }
        let expected = try Self.expectedMessageIds(scenario: Self.ping, events: events)
        #expect(expected.count == 10_000)

        let producer = try env.producer()
        let streaming = Task {
            for chunk in stride(from: 0, to: events.count, by: 250) {
                try await env.send(Array(events[chunk..<min(chunk + 250, events.count)]), with: producer)
                try await Task.sleep(for: .milliseconds(200))
            }
        }

        // Six crashes: engines that kill themselves at the two worst moments (state written but
        // nothing produced; produced but outbox and offsets not yet cleared), and engines killed
        // from outside at a random moment once they have partitions.
        var crashEnvironment = env.childEnvironment
        crashEnvironment["NUDGE_FAILPOINTS"] = "after-state-write=0.03,after-produce=0.03"
        for crash in 0..<6 {
            let engine = try EngineProcess(environment: crashEnvironment, label: "crash-\(crash)")
            let deadline = ContinuousClock.now + .seconds(60)
            while engine.process.isRunning, engine.assignedPartitions == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...2_500)))
            engine.kill9()
            #expect(engine.process.terminationReason == .uncaughtSignal, "engine \(crash) exited on its own")
        }

        try await streaming.value
        let survivor = try EngineProcess(environment: env.childEnvironment, label: "crash-final")
        defer { survivor.terminate() }
        try await Task.sleep(for: .seconds(1))
        try survivor.checkRunning()
        var outbound = try await env.waitForOutbound(timeout: .seconds(120)) { $0.count >= expected.count }
        // Anything duplicated late would show up here.
        try await Task.sleep(for: .seconds(3))
        outbound = try await env.outboundMessages()

        let ids = outbound.compactMap { $0[text: "message_id"] }
        #expect(ids.count == expected.count, "outbound has \(ids.count) messages, expected \(expected.count)")
        #expect(Set(ids).count == ids.count, "duplicates: \(ids.count - Set(ids).count)")
        #expect(Set(ids) == Set(expected))
        // The survivor recovered the report changes before the outboxes: once every message is
        // out, every count is in, none twice.
        let redis = env.redis()
        #expect(
            try await env.reportHourly("crash-ping", on: redis) == [
                "entered|hello": expected.count, "completed|end|done": expected.count,
            ])
        #expect(try await env.reportLive("crash-ping", on: redis) == [:])
        await producer.shutdown()
    }

    @Test(.sharesRedisCluster, arguments: [RedisConfig.Mode.standalone, .cluster])
    func theSurvivingEngineFiresTheTimersOfAKilledOne(redis mode: RedisConfig.Mode) async throws {
        let env = try await EngineTestEnvironment("handover", scenarios: ["delayed.yaml": Self.delayed], redis: mode)
        try await env.createTopics()
        let first = try EngineProcess(environment: env.childEnvironment, label: "handover-a")
        let second = try EngineProcess(environment: env.childEnvironment, label: "handover-b")
        defer {
            first.kill9()
            second.terminate()
        }
        // Both members hold partitions: together all of them, no overlap.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let a = first.assignedPartitions, let b = second.assignedPartitions, !a.isEmpty, !b.isEmpty,
                a.isDisjoint(with: b), a.union(b) == Set(0..<EngineTestEnvironment.partitions)
            {
                break
            }
            try first.checkRunning()
            try second.checkRunning()
            try await Task.sleep(for: .milliseconds(200))
        }
        let firstPartitions = try #require(first.assignedPartitions)
        #expect(!firstPartitions.isEmpty && !(second.assignedPartitions ?? []).isEmpty)

        let producer = try env.producer()
        let events = (0..<200).map { index in
            SegmentEvent(
                event: "Ping", customerId: "customer-\(index)", messageId: "delayed-\(index)",
                properties: ["n": .int(Int64(index))])
        }
        try await env.send(events, with: producer)

        // Wait until every instance waits on its timer, in both processes' partitions.
        let redis = env.redis()
        var pending: [Int: Int] = [:]
        let scheduled = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < scheduled {
            for partition in 0..<EngineTestEnvironment.partitions {
                pending[partition] =
                    try await redis.send("ZCARD", "\(env.config.redisKeyPrefix):timers:{p\(partition)}").int ?? 0
            }
            if pending.values.reduce(0, +) == 200 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(pending.values.reduce(0, +) == 200)
        #expect(firstPartitions.contains { (pending[$0] ?? 0) > 0 }, "the killed engine owned no timers")
        #expect(try await env.outboundMessages().isEmpty, "timers fired before the kill")

        first.kill9()
        let outbound = try await env.waitForOutbound(timeout: .seconds(60)) { $0.count >= 200 }
        try await Task.sleep(for: .seconds(2))
        let ids = try await env.outboundMessages().compactMap { $0[text: "message_id"] }
        #expect(outbound.count >= 200)
        #expect(ids.count == 200)
        #expect(Set(ids).count == 200)
        #expect(second.log.contains("partitions assigned"))
        #expect(
            try await env.reportHourly("delayed-ping", on: redis) == [
                "entered|later": 200, "completed|end|done": 200,
            ])
        #expect(try await env.reportLive("delayed-ping", on: redis) == [:])
        await producer.shutdown()
    }
}

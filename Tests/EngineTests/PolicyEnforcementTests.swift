import EngineCore
import Foundation
import NudgeKafka
import NudgeRedis
import Testing

@Suite("Contact policy in the running engine", .serialized, .timeLimit(.minutes(4)))
struct PolicyEnforcementTests {
    static let pinger = """
        id: pinger
        version: 1
        name: One SMS per ping
        owner: tests
        status: active
        trigger:
          event: Ping
        entry:
          key: event.properties.n
        start: hello
        steps:
          hello:
            send:
              channel: sms
              template: ping
            next: done
          done:
            end: {}
        """

    /// Two engine processes get events of one customer on two partitions (as when producers key
    /// differently): the daily cap of 3 still allows exactly 3 messages, and the report counts
    /// each of the 100 instances once, however often a commit lost the race and ran again. On a
    /// single Redis and on Redis Cluster.
    @Test(.sharesRedisCluster, arguments: [RedisConfig.Mode.standalone, .cluster])
    func capsHoldExactlyWhenTwoEnginesRaceForOneCustomer(redis mode: RedisConfig.Mode) async throws {
        let policy = "version: 1\ncaps:\n  - channel: sms\n    max: 3\n    per: day\n"
        let env = try await EngineTestEnvironment(
            "race", scenarios: ["pinger.yaml": Self.pinger, "policy.yaml": policy], redis: mode)
        try await env.createTopics()
        let first = try EngineProcess(environment: env.childEnvironment, label: "race-a")
        let second = try EngineProcess(environment: env.childEnvironment, label: "race-b")
        defer {
            first.terminate()
            second.terminate()
        }
        var owned: (Int, Int)?
        let deadline = ContinuousClock.now + .seconds(60)
        while owned == nil, ContinuousClock.now < deadline {
            if let a = first.assignedPartitions, let b = second.assignedPartitions, a.isDisjoint(with: b),
                a.union(b) == Set(0..<EngineTestEnvironment.partitions), let pa = a.min(), let pb = b.min()
            {
                owned = (pa, pb)
            }
            try first.checkRunning()
            try second.checkRunning()
            try await Task.sleep(for: .milliseconds(200))
        }
        let (partitionA, partitionB) = try #require(owned)

        let producer = try env.producer()
        // One event at a time to both partitions at once, so the two processes keep colliding.
        func stream(_ range: Range<Int>, to partition: Int) async throws {
            for n in range {
                let event = SegmentEvent(
                    event: "Ping", customerId: "racer", messageId: "race-\(n)", properties: ["n": .int(Int64(n))])
                try await env.send([event], partition: Int32(partition), with: producer)
            }
        }
        async let toA: Void = stream(0..<50, to: partitionA)
        async let toB: Void = stream(50..<100, to: partitionB)
        _ = try await (toA, toB)

        let records = try await env.waitForOutbound(timeout: .seconds(60)) { $0.count >= 100 }
        try await Task.sleep(for: .seconds(2))
        let final = try await env.outboundMessages()
        #expect(records.count >= 100)
        let decisions = final.compactMap { $0[text: "policy"] }
        #expect(decisions.filter { $0 == "sent" }.count == 3, "decisions: \(decisions)")
        #expect(decisions.filter { $0 == "suppressed:cap:sms:day" }.count == 97)
        #expect(final.count == 100)
        let redis = env.redis()
        #expect(
            try await env.reportHourly("pinger", on: redis) == ["entered|hello": 100, "completed|end|done": 100])
        await producer.shutdown()
    }

    /// Quiet hours hold a message in a durable timer and send it when they end.
    @Test func aMessageInQuietHoursIsDeferredAndSentWhenTheyEnd() async throws {
        // Quiet hours from this minute to the next one (UTC), started early enough in the minute.
        var now = Date()
        var second =
            Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now).second ?? 0
        if second > 40 {
            try await Task.sleep(for: .seconds(61 - second))
            now = Date()
            second =
                Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now).second ?? 0
        }
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm"
        let from = formatter.string(from: now)
        let to = formatter.string(from: now.addingTimeInterval(60))
        let policy =
            "version: 1\ndefault_timezone: UTC\nquiet_hours:\n  from: \"\(from)\"\n  to: \"\(to)\"\n  channels: [sms]\n"
        let env = try await EngineTestEnvironment(
            "quiet", scenarios: ["pinger.yaml": Self.pinger, "policy.yaml": policy])
        try await env.createTopics()
        let producer = try env.producer()
        try await env.withEngine {
            try await env.send(
                [SegmentEvent(event: "Ping", customerId: "night-owl", messageId: "quiet-1", properties: ["n": 1])],
                with: producer)
            let deferred = try await env.waitForOutbound(timeout: .seconds(30)) { !$0.isEmpty }
            #expect(deferred.first?[text: "policy"] == "deferred:quiet_hours")
            let state = try await env.customerState("night-owl")
            #expect(state?.contact.held.count == 1)

            let sent = try await env.waitForOutbound(timeout: .seconds(90)) { $0.count >= 2 }
            #expect(sent.map { $0[text: "policy"] } == ["deferred:quiet_hours", "sent"])
            #expect(Set(sent.compactMap { $0[text: "message_id"] }).count == 1)
            #expect(try await env.customerState("night-owl")?.contact.held.isEmpty == true)
        }
        await producer.shutdown()
    }
}

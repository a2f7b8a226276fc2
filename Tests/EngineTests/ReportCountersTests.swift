import EngineCore
import Foundation
import NudgeRedis
import Testing

/// The engine's per-scenario counters in Redis (`report:<scenario>:<hour>`: `entered|<step>`,
/// `completed|<reason>|<step>`; `report-now:<scenario>`: `waiting|<step>`), written with the
/// customer's commit, for instances that end by a goal, an exit, a timer and at once.
@Suite("Engine report counters", .serialized, .timeLimit(.minutes(3)))
struct ReportCountersTests {
    static let greeter = """
        id: greeter
        version: 1
        name: Greeter
        owner: tests
        status: active
        trigger:
          event: Signed Up
        goals:
          - id: bought
            event: Order Completed
        exits:
          - event: Unsubscribed
        start: pause
        steps:
          pause:
            wait_for:
              event: Clicked
              timeout: 1h
            on_event: hello
          hello:
            wait: 2s
            next: done
          done:
            end: {}
        """

    static let oneshot = """
        id: oneshot
        version: 1
        name: Ends at once
        owner: tests
        status: active
        trigger:
          event: Ping
        start: done
        steps:
          done:
            end: {}
        """

    /// The hourly counters of a scenario summed over every hour bucket (a run may cross an hour).
    func hourly(_ scenario: String, env: EngineTestEnvironment, redis: RedisClient) async throws -> [String: Int] {
        let keys = try await redis.send("KEYS", "\(env.config.redisKeyPrefix):report:\(scenario):*").array ?? []
        var totals: [String: Int] = [:]
        for key in keys.compactMap(\.string) {
            try await fields(of: key, redis: redis).forEach { totals[$0.key, default: 0] += $0.value }
        }
        return totals
    }

    func live(_ scenario: String, env: EngineTestEnvironment, redis: RedisClient) async throws -> [String: Int] {
        try await fields(of: "\(env.config.redisKeyPrefix):report-now:\(scenario)", redis: redis).filter {
            $0.value != 0
        }
    }

    func fields(of key: String, redis: RedisClient) async throws -> [String: Int] {
        let items = try await redis.send("HGETALL", key).array ?? []
        var fields: [String: Int] = [:]
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            fields[items[index].string ?? ""] = items[index + 1].int
        }
        return fields
    }

    @Test func enteredCompletedAndWaitingFollowTheInstances() async throws {
        let env = try await EngineTestEnvironment(
            "reports", scenarios: ["greeter.yaml": Self.greeter, "oneshot.yaml": Self.oneshot])
        try await env.createTopics()
        let producer = try env.producer()
        let redis = env.redis()
        try await env.withEngine {
            try await env.send(
                ["waits", "buys", "clicks", "leaves"].map { SegmentEvent(event: "Signed Up", customerId: $0) }
                    + [SegmentEvent(event: "Ping", customerId: "pings")], with: producer)
            // Let the entries commit first, so the moves below run in later batches.
            let entered = ContinuousClock.now + .seconds(20)
            while try await hourly("greeter", env: env, redis: redis)["entered|pause"] != 4,
                ContinuousClock.now < entered
            {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await live("greeter", env: env, redis: redis) == ["waiting|pause": 4])
            try await env.send(
                [
                    SegmentEvent(event: "Order Completed", customerId: "buys"),
                    SegmentEvent(event: "Clicked", customerId: "clicks"),
                    SegmentEvent(event: "Unsubscribed", customerId: "leaves"),
                ], with: producer)

            // "clicks" ends when its 2s wait fires: once its state is committed without an
            // instance, the counters of the same commit are there too.
            let deadline = ContinuousClock.now + .seconds(30)
            var state = try await env.customerState("clicks")
            while state?.instances.isEmpty != true, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                state = try await env.customerState("clicks")
            }
            #expect(state?.instances.isEmpty == true)
            let greeter = try await hourly("greeter", env: env, redis: redis)
            #expect(
                greeter == [
                    "entered|pause": 4, "completed|goal:bought|pause": 1, "completed|exit:Unsubscribed|pause": 1,
                    "completed|end|done": 1,
                ])
            #expect(try await live("greeter", env: env, redis: redis) == ["waiting|pause": 1])
            #expect(
                try await hourly("oneshot", env: env, redis: redis) == ["entered|done": 1, "completed|end|done": 1])
            #expect(try await live("oneshot", env: env, redis: redis) == [:])
            // The hour bucket is the engine's UTC hour, yyyyMMddHH.
            let keys = try await redis.send("KEYS", "\(env.config.redisKeyPrefix):report:greeter:*").array ?? []
            #expect(keys.allSatisfy { ($0.string?.split(separator: ":").last?.count) == 10 })
        }
        await producer.shutdown()
    }

    static let offer = """
        id: offer
        version: 1
        name: Offer with a holdout
        owner: tests
        status: active
        trigger:
          event: Viewed
        holdout:
          percent: 50
        start: pause
        steps:
          pause:
            wait: 1s
            next: mail
          mail:
            send:
              channel: email
              template: offer
            next: done
          done:
            end: {}
        """

    @Test func holdoutAndShadowRuleCountersGoWithTheCommit() async throws {
        let policy = "version: 1\ncaps:\n  - {channel: email, max: 0, per: day, shadow: true}\n"
        let env = try await EngineTestEnvironment(
            "holdout", scenarios: ["offer.yaml": Self.offer, "policy.yaml": policy])
        try await env.createTopics()
        let producer = try env.producer()
        let redis = env.redis()
        let customers = (0..<24).map { "h\($0)" }
        let heldOut = customers.filter { Holdout(percent: 50).contains(customer: $0, scope: "offer") }
        #expect(!heldOut.isEmpty && heldOut.count < customers.count)
        try await env.withEngine {
            try await env.send(customers.map { SegmentEvent(event: "Viewed", customerId: $0) }, with: producer)
            let deadline = ContinuousClock.now + .seconds(30)
            while try await hourly("offer", env: env, redis: redis)["completed|end|done"] != customers.count,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(200))
            }
            let treated = customers.count - heldOut.count
            #expect(
                try await hourly("offer", env: env, redis: redis) == [
                    "entered|pause": customers.count, "completed|end|done": customers.count,
                    "holdout|entered": heldOut.count, "holdout|completed|end": heldOut.count,
                    // The sends happen after the wait, from the state read back from Redis: the
                    // holdout mark survives it. The shadow cap of 0 would have stopped every message
                    // that went out, and only those.
                    "would_suppress|cap:email:0/day|mail": treated,
                ])
        }
        await producer.shutdown()
    }
}

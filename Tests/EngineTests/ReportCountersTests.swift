import EngineCore
import Foundation
import NudgeRedis
import Testing

/// The engine's per-scenario counters in Redis (`report:<scenario>:<hour>`: `entered|<step>`,
/// `completed|<reason>|<step>`; `report-now:<scenario>`: `waiting|<step>`), written with the
/// customer's commit, for instances that end by a goal, an exit, a timer and at once. On Redis
/// Cluster the same counts come from the folds of the customers' stored changes
/// (`report:{<scenario>}:<hour>`, `report-now:{<scenario>}`).
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

    @Test(.sharesRedisCluster, arguments: [RedisConfig.Mode.standalone, .cluster])
    func enteredCompletedAndWaitingFollowTheInstances(redis mode: RedisConfig.Mode) async throws {
        let env = try await EngineTestEnvironment(
            "reports", scenarios: ["greeter.yaml": Self.greeter, "oneshot.yaml": Self.oneshot], redis: mode)
        try await env.createTopics()
        let producer = try env.producer()
        let redis = env.redis()
        try await env.withEngine {
            try await env.send(
                ["waits", "buys", "clicks", "leaves"].map { SegmentEvent(event: "Signed Up", customerId: $0) }
                    + [SegmentEvent(event: "Ping", customerId: "pings")], with: producer)
            // Let the entries commit first, so the moves below run in later batches.
            let entered = ContinuousClock.now + .seconds(20)
            while try await env.reportHourly("greeter", on: redis)["entered|pause"] != 4,
                ContinuousClock.now < entered
            {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await env.reportLive("greeter", on: redis) == ["waiting|pause": 4])
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
            let greeter = try await env.reportHourly("greeter", on: redis)
            #expect(
                greeter == [
                    "entered|pause": 4, "completed|goal:bought|pause": 1, "completed|exit:Unsubscribed|pause": 1,
                    "completed|end|done": 1,
                ])
            #expect(try await env.reportLive("greeter", on: redis) == ["waiting|pause": 1])
            #expect(
                try await env.reportHourly("oneshot", on: redis) == ["entered|done": 1, "completed|end|done": 1])
            #expect(try await env.reportLive("oneshot", on: redis) == [:])
            // The hour bucket is the engine's UTC hour, yyyyMMddHH.
            let keys = try await env.reportHourKeys("greeter", on: redis)
            #expect(!keys.isEmpty && keys.allSatisfy { $0.split(separator: ":").last?.count == 10 })
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

    @Test(.sharesRedisCluster, arguments: [RedisConfig.Mode.standalone, .cluster])
    func holdoutAndShadowRuleCountersGoWithTheCommit(redis mode: RedisConfig.Mode) async throws {
        let policy = "version: 1\ncaps:\n  - {channel: email, max: 0, per: day, shadow: true}\n"
        let env = try await EngineTestEnvironment(
            "holdout", scenarios: ["offer.yaml": Self.offer, "policy.yaml": policy], redis: mode)
        try await env.createTopics()
        let producer = try env.producer()
        let redis = env.redis()
        let customers = (0..<24).map { "h\($0)" }
        let heldOut = customers.filter { Holdout(percent: 50).contains(customer: $0, scope: "offer") }
        #expect(!heldOut.isEmpty && heldOut.count < customers.count)
        try await env.withEngine {
            try await env.send(customers.map { SegmentEvent(event: "Viewed", customerId: $0) }, with: producer)
            let deadline = ContinuousClock.now + .seconds(30)
            while try await env.reportHourly("offer", on: redis)["completed|end|done"] != customers.count,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(200))
            }
            let treated = customers.count - heldOut.count
            #expect(
                try await env.reportHourly("offer", on: redis) == [
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

import Backtest
import EngineCore
import Foundation
import Logging
import NudgeRedis
import Testing

/// A history produced to a private topic, run by the live engine, then backtested over the same
/// topic and time range: the backtest's entries, completions and policy decisions per step equal
/// what the engine recorded (report counters in Redis, records on the outbound topic).
@Suite("Backtest against the live engine", .serialized, .timeLimit(.minutes(4)))
struct BacktestAgainstEngineTests {
    static let greet = """
        id: bt-greet
        version: 1
        name: Backtest greeting
        owner: tests
        status: active
        trigger:
          event: Signed Up
        goals:
          - id: bought
            event: Order Completed
        start: hello
        steps:
          hello:
            send:
              channel: email
              template: hello
            next: pause
          pause:
            wait: 2s
            next: again
          again:
            send:
              channel: email
              template: again
            next: done
          done:
            end: {}
        """

    static let policy = """
        version: 1
        default_timezone: UTC
        caps:
          - channel: email
            max: 1
            per: day
        """

    @Test func entriesCompletionsAndDecisionsPerStepEqualTheEngines() async throws {
        let env = try await EngineTestEnvironment(
            "backtest", scenarios: ["greet.yaml": Self.greet, "policy.yaml": Self.policy])
        try await env.createTopics()
        let producer = try env.producer()
        let redis = env.redis()
        let from = Date().addingTimeInterval(-1)

        // 30 sign-ups, 10 of them buy at once (goal before the 2 s wait ends), 1 has unsubscribed from
        // email; page views nobody listens to; two records that do not decode.
        let signUps = (0..<30).map { SegmentEvent(event: "Signed Up", customerId: "bt-\($0)") }
        let unsubscribed = [
            SegmentEvent(
                type: "identify", event: "", customerId: "bt-unsub",
                traits: ["unsubscribed_channels": .list([.string("email")])]),
            SegmentEvent(event: "Signed Up", customerId: "bt-unsub"),
        ]
        let orders = (0..<10).map { SegmentEvent(event: "Order Completed", customerId: "bt-\($0)") }
        let pages = (0..<10).map { SegmentEvent(type: "page", event: "", customerId: "bt-\($0)") }
        try await env.withEngine {
            try await env.send(signUps + unsubscribed, with: producer)
            try await env.send(orders + pages, with: producer)
            try await env.sendRaw(
                [
                    ("bt-bad", "not json"),
                    ("bt-bad", #"{"type":"track","userId":"bt-bad","timestamp":"2026-12-01T10:00:00Z"}"#),
                ],
                with: producer)
            // Done when every instance ended (10 goals, 21 ends) and all 52 decisions are out.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let counters = try await env.reportHourly("bt-greet", on: redis)
                let outbound = try await env.outboundMessages()
                if counters["completed|end|done"] == 21, counters["completed|goal:bought|pause"] == 10,
                    outbound.count >= 52
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        let engineCounters = try await env.reportHourly("bt-greet", on: redis)
        let outbound = try await env.outboundMessages()
        #expect(engineCounters["entered|hello"] == 31)
        #expect(outbound.count == 52)
        let keysBefore = try await env.keys(matching: "\(env.config.redisKeyPrefix):*", on: redis).count

        let to = Date().addingTimeInterval(1)
        let loaded = RuleSet.load([
            RuleSet.File(path: "greet.yaml", text: Self.greet), RuleSet.File(path: "policy.yaml", text: Self.policy),
        ])
        let engine = ScenarioEngine(
            catalog: try ScenarioCatalog(loaded.scenarios), policy: try #require(loaded.policies.first))
        let window = try BacktestWindow(from: Self.timestamp(from), to: Self.timestamp(to))
        let report = try await Backtester.run(
            BacktestPlan(window: window, engine: engine, sample: nil, files: ["greet.yaml"], policyFile: "policy.yaml"),
            source: BacktestSource(kafka: env.config.kafka, topic: env.config.topics.events), logger: env.logger)

        let scenario = try #require(report.scenarios.first { $0.id == "bt-greet" })
        #expect(Self.counters(scenario) == engineCounters)
        #expect(Self.decisions(scenario) == Self.decisions(outbound))
        #expect(Self.decisions(scenario)["hello|sent"] == 30)
        #expect(Self.decisions(scenario)["again|suppressed:cap:email:day"] == 20)
        #expect(report.read.records == 30 + 2 + 10 + 10 + 2)
        #expect(report.read.skipped == ["not_json": 1, "missing_event_name": 1])
        let deadLettered = try await env.readAll(env.config.topics.deadLetter)
        #expect(report.read.skippedTotal == deadLettered.count)
        #expect(report.read.partitions.count == EngineTestEnvironment.partitions)
        #expect(report.customers.inHistory == 31)
        #expect(report.waiting == 0)
        // The backtest read only: the engine's keys are as they were.
        #expect(try await env.keys(matching: "\(env.config.redisKeyPrefix):*", on: redis).count == keysBefore)
        await producer.shutdown()
    }

    static func timestamp(_ date: Date) -> Timestamp {
        Timestamp(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    /// The backtest's counts in the engine's report field names (`entered|<step>`, `completed|<reason>|<step>`).
    static func counters(_ scenario: BacktestReport.ScenarioReport) -> [String: Int] {
        var fields: [String: Int] = [:]
        for step in scenario.steps {
            if step.counts.entered > 0 { fields["entered|\(step.step)"] = step.counts.entered }
            for (reason, count) in step.counts.completed { fields["completed|\(reason)|\(step.step)"] = count }
        }
        return fields
    }

    /// `<step>|<policy decision>` -> messages, from the backtest.
    static func decisions(_ scenario: BacktestReport.ScenarioReport) -> [String: Int] {
        var decisions: [String: Int] = [:]
        for step in scenario.steps {
            if step.counts.sentTotal > 0 { decisions["\(step.step)|sent"] = step.counts.sentTotal }
            for (reason, count) in step.counts.suppressed { decisions["\(step.step)|suppressed:\(reason)"] = count }
            for (reason, count) in step.counts.deferred { decisions["\(step.step)|deferred:\(reason)"] = count }
        }
        return decisions
    }

    /// The same from the engine's outbound records (one per decision, `policy` and `step` fields).
    static func decisions(_ outbound: [[String: Value]]) -> [String: Int] {
        var decisions: [String: Int] = [:]
        for record in outbound where record[text: "scenario"] == "bt-greet" {
            decisions["\(record[text: "step"] ?? "?")|\(record[text: "policy"] ?? "?")", default: 0] += 1
        }
        return decisions
    }
}

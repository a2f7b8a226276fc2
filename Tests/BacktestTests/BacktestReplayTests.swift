import EngineCore
import Foundation
import Testing

@testable import Backtest

/// The replay and its counts, on a small history in memory (no Kafka).
@Suite("Backtest replay")
struct BacktestReplayTests {
    func report(sample: Int? = nil) async throws -> BacktestReport {
        let plan = try BacktestFixtures.plan(sample: sample)
        return await Backtester.run(plan, records: BacktestFixtures.history().records, topic: "events")
    }

    func counts(
        entered: Int = 0, sent: [String: Int] = [:], suppressed: [String: Int] = [:], completed: [String: Int] = [:],
        converted: Int = 0
    ) -> BacktestCounts {
        var counts = BacktestCounts()
        counts.entered = entered
        counts.sent = sent
        counts.suppressed = suppressed
        counts.completed = completed
        counts.converted = converted
        return counts
    }

    @Test func countsEachStepExactly() async throws {
        let report = try await report()
        let greet = try #require(report.scenarios.first { $0.id == "greet" })
        #expect(greet.steps.map(\.step) == ["hello", "pause", "again", "done"])
        let steps = Dictionary(uniqueKeysWithValues: greet.steps.map { ($0.step, $0) })
        #expect(steps["hello"]?.counts == counts(entered: 4, sent: ["email": 4]))
        #expect(steps["pause"]?.counts == counts(completed: ["goal:bought": 2], converted: 2))
        #expect(steps["again"]?.counts == counts(suppressed: ["cap:email:day": 1]))
        #expect(steps["done"]?.counts == counts(completed: ["end": 1]))
        #expect(steps["pause"]?.waiting == 1)
        #expect(greet.waiting == 1)
        #expect(
            report.totals
                == counts(
                    entered: 4, sent: ["email": 4], suppressed: ["cap:email:day": 1],
                    completed: ["goal:bought": 2, "end": 1], converted: 2))
        #expect(report.replay.pendingTimers == 1)
    }

    @Test func bucketsByTheUTCHourOfEventTime() async throws {
        let report = try await report()
        let greet = try #require(report.scenarios.first { $0.id == "greet" })
        let hours = greet.hours.map { (ISO8601.format($0.hour), $0.counts) }
        #expect(hours.map(\.0) == ["2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", "2026-12-01T13:00:00Z"])
        #expect(hours[0].1 == counts(entered: 3, sent: ["email": 3], completed: ["goal:bought": 2], converted: 2))
        // a's timer fires at 11:05 event time: the capped send and the end fall in hour 11.
        #expect(hours[1].1 == counts(suppressed: ["cap:email:day": 1], completed: ["end": 1]))
        #expect(hours[2].1 == counts(entered: 1, sent: ["email": 1]))
        let hello = try #require(greet.steps.first { $0.step == "hello" })
        #expect(hello.hours.map { $0.counts.sentTotal } == [3, 1])
        #expect(report.sendsPerHour.map(\.sent) == [3, 0, 0, 1])
    }

    @Test func readsTheWindowAndCountsWhatItSkips() async throws {
        let read = try await report().read
        // Partition 0: 9 records, the first before the window; partition 1: 2 read, the second
        // (stamped at --to) ends it, so the third is never taken although its event time is earlier.
        #expect(read.records == 11)
        #expect(read.beforeWindow == 1)
        #expect(read.events == 7)
        #expect(read.inert == 1)
        #expect(read.skipped == ["not_json": 1, "missing_event_name": 1])
        #expect(read.skippedTotal == 2)
        #expect(read.skippedExamples.map(\.offset) == [7, 8])
        #expect(read.partitions.map(\.reachedWindowEnd) == [false, true])
        #expect(read.partitions.map(\.firstOffset) == [1, 0])
        #expect(read.partitions.map(\.lastOffset) == [8, 0])
    }

    @Test func customersAreCountedInTheHistoryAndInTheReplay() async throws {
        let report = try await report()
        #expect(report.customers.inHistory == 4)
        #expect(report.customers.replayed == 4)
        #expect(report.customers.sample == nil)
        #expect(report.replay.events == 6)
    }

    @Test func aSampleIsStableAndNested() async throws {
        let everyone: Set<String> = ["a", "b", "c", "d"]
        let two = CustomerSample.choose(2, from: everyone)
        #expect(two.count == 2)
        #expect(CustomerSample.choose(2, from: everyone) == two)
        #expect(CustomerSample.choose(1, from: everyone).isSubset(of: two))
        #expect(CustomerSample.choose(9, from: everyone) == everyone)

        let first = try await report(sample: 2)
        let second = try await report(sample: 2)
        #expect(first.customers.replayed == 2)
        #expect(first.customers.inHistory == 4)
        #expect(first.totals == second.totals)
        #expect(first.totals.entered == 2)
        // The sample's events only: every sampled customer signed up once.
        let full = try await report()
        let sampledEntries = full.scenarios.first?.steps.first?.counts.entered ?? 0
        #expect(first.totals.entered <= sampledEntries)
    }

    @Test func theTopicOrderDecidesBetweenEventsOfOneMillisecond() async throws {
        // In the fixture d's sign-up precedes its order on the topic: it enters and converts. Reversed,
        // the order finds no instance, the sign-up enters afterwards and runs to its end.
        var reversed = BacktestFixtures.History()
        reversed.track("Order Completed", "d", at: "10:40:00")
        reversed.track("Signed Up", "d", at: "10:40:00")
        let plan = try BacktestFixtures.plan()
        let report = await Backtester.run(plan, records: reversed.records, topic: "events")
        #expect(report.totals.entered == 1)
        #expect(report.totals.converted == 0)
        #expect(report.totals.completed == ["end": 1])
    }

    @Test func theSameHistoryGivesTheSameReport() async throws {
        let first = try await report()
        let second = try await report()
        #expect(first.totals == second.totals)
        #expect(first.scenarios.map(\.steps.count) == second.scenarios.map(\.steps.count))
        for (a, b) in zip(first.scenarios, second.scenarios) {
            #expect(a.hours == b.hours)
        }
    }
}

/// Shadow rules and holdouts of the policy and the scenario are counted like the engine counts them.
@Suite("Backtest shadow rules and holdouts")
struct BacktestShadowAndHoldoutTests {
    @Test func aShadowCapCountsWhatItWouldHaveSuppressed() async throws {
        let policy = """
            version: 1
            default_timezone: UTC
            caps:
              - {channel: email, max: 5, per: day}
              - {channel: email, max: 1, per: day, shadow: true}
            """
        let loaded = RuleSet.load([
            RuleSet.File(path: "greet.yaml", text: BacktestFixtures.greet),
            RuleSet.File(path: "policy.yaml", text: policy),
        ])
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let catalog = try ScenarioCatalog(loaded.scenarios.map { $0.with(status: .active) })
        let plan = BacktestPlan(
            window: BacktestFixtures.window,
            engine: ScenarioEngine(catalog: catalog, policy: try #require(loaded.policies.first)), sample: nil,
            files: ["greet.yaml"], policyFile: "policy.yaml")
        let report = await Backtester.run(plan, records: BacktestFixtures.history().records, topic: "events")
        let again = try #require(report.scenarios.first?.steps.first { $0.step == "again" })
        // a's second email goes out under the enforced cap of 5; the shadow cap of 1 would have stopped it.
        #expect(again.counts.sent == ["email": 1])
        #expect(again.counts.wouldSuppress.count == 1)
        #expect(again.counts.wouldSuppressTotal == 1)
        #expect(report.totals.suppressedTotal == 0)
    }

    @Test func holdoutMembersAreCountedAndSentNothing() async throws {
        let held = BacktestFixtures.greet.replacingOccurrences(
            of: "start: hello", with: "holdout:\n  percent: 99.99\nstart: hello")
        let loaded = RuleSet.load([RuleSet.File(path: "greet.yaml", text: held)])
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let catalog = try ScenarioCatalog(loaded.scenarios.map { $0.with(status: .active) })
        let plan = BacktestPlan(
            window: BacktestFixtures.window, engine: ScenarioEngine(catalog: catalog), sample: nil,
            files: ["greet.yaml"], policyFile: nil)
        let report = await Backtester.run(plan, records: BacktestFixtures.history().records, topic: "events")
        #expect(report.totals.entered == 4)
        #expect(report.totals.heldOut == 4)
        #expect(report.totals.sentTotal == 0)
        #expect(report.totals.suppressed["holdout"] == 5)  // hello for a, b, c, d; again for a
        #expect(report.totals.heldOutConverted == 2)
    }
}

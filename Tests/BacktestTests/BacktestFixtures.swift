import EngineCore
import Foundation
import Testing

@testable import Backtest

/// A small scenario and policy, and a history built record by record.
enum BacktestFixtures {
    static let greet = """
        id: greet
        version: 1
        name: Greet
        owner: tests
        status: draft
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
            wait: 1h
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

    static func plan(sample: Int? = nil, window: BacktestWindow = window) throws -> BacktestPlan {
        let loaded = RuleSet.load([
            RuleSet.File(path: "greet.yaml", text: greet), RuleSet.File(path: "policy.yaml", text: policy),
        ])
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let catalog = try ScenarioCatalog(loaded.scenarios.map { $0.with(status: .active) })
        return BacktestPlan(
            window: window, engine: ScenarioEngine(catalog: catalog, policy: try #require(loaded.policies.first)),
            sample: sample, files: ["greet.yaml"], policyFile: "policy.yaml")
    }

    static let window = try! BacktestWindow(from: "2026-12-01T10:00:00Z", to: "2026-12-01T14:00:00Z")

    static func time(_ clock: String) -> Timestamp {
        ISO8601.parse("2026-12-01T\(clock)Z") ?? Timestamp(milliseconds: 0)
    }

    /// Builds records partition by partition, offsets counting up, the Kafka timestamp the event's
    /// own unless given.
    struct History {
        var records: [HistoryRecord] = []
        private var next: [Int32: Int64] = [:]

        mutating func track(
            _ event: String, _ customer: String, at clock: String, partition: Int32 = 0, stamped: String? = nil
        ) {
            let json =
                #"{"type":"track","event":"\#(event)","userId":"\#(customer)","timestamp":"2026-12-01T\#(clock)Z"}"#
            raw(json, at: stamped ?? clock, partition: partition)
        }

        mutating func page(_ customer: String, at clock: String, partition: Int32 = 0) {
            raw(
                #"{"type":"page","name":"Home","userId":"\#(customer)","timestamp":"2026-12-01T\#(clock)Z"}"#,
                at: clock, partition: partition)
        }

        mutating func raw(_ text: String, at clock: String, partition: Int32 = 0) {
            let offset = next[partition, default: 0]
            next[partition] = offset + 1
            records.append(
                HistoryRecord(
                    topic: "events", partition: partition, offset: offset, timestamp: BacktestFixtures.time(clock),
                    value: Array(text.utf8)))
        }
    }

    /// a: enters, gets hello, 1h later 'again' is capped and it ends; b buys before the timer; c enters
    /// late and is still waiting at the window's end; d signs up and buys in the same millisecond
    /// (the topic's order decides); one record before the window, one page view, two bad records, and
    /// a record after the window that ends partition 1.
    static func history() -> History {
        var history = History()
        history.track("Signed Up", "early", at: "09:59:00")
        history.track("Signed Up", "a", at: "10:05:00")
        history.page("a", at: "10:06:00")
        history.track("Signed Up", "b", at: "10:10:00")
        history.track("Order Completed", "b", at: "10:30:00")
        history.track("Signed Up", "d", at: "10:40:00")
        history.track("Order Completed", "d", at: "10:40:00")
        history.raw("not json", at: "10:50:00")
        history.raw(#"{"type":"track","userId":"e","timestamp":"2026-12-01T10:51:00Z"}"#, at: "10:51:00")
        history.track("Signed Up", "c", at: "13:30:00", partition: 1)
        history.track("Signed Up", "f", at: "14:00:00", partition: 1)
        history.track("Signed Up", "g", at: "13:59:00", partition: 1, stamped: "14:10:00")
        return history
    }
}

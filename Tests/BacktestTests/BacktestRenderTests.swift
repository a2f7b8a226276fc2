import EngineCore
import Foundation
import Testing

@testable import Backtest

/// The report's three formats: a stable JSON shape, Markdown tables, an HTML page with its chart.
@Suite("Backtest report formats")
struct BacktestRenderTests {
    func report() async throws -> BacktestReport {
        let plan = try BacktestFixtures.plan()
        return await Backtester.run(plan, records: BacktestFixtures.history().records, topic: "events")
    }

    @Test func jsonHasTheDocumentedShape() async throws {
        let text = try await report().render(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "nudge.backtest/1")
        #expect(
            Set(object.keys) == [
                "schema", "window", "files", "policy", "read", "replay", "customers", "totals", "waiting", "scenarios",
                "events_per_second", "seconds", "limitations",
            ])
        let window = try #require(object["window"] as? [String: Any])
        #expect(window["from"] as? String == "2026-12-01T10:00:00Z")
        let totals = try #require(object["totals"] as? [String: Any])
        #expect(
            Set(totals.keys) == [
                "entered", "sent", "sent_total", "suppressed", "suppressed_total", "deferred", "deferred_total",
                "completed", "completed_total", "converted", "would_suppress", "would_suppress_total", "held_out",
                "held_out_converted",
            ])
        #expect(totals["sent_total"] as? Int == 4)
        let scenarios = try #require(object["scenarios"] as? [[String: Any]])
        let steps = try #require(scenarios.first?["steps"] as? [[String: Any]])
        #expect(steps.first?["step"] as? String == "hello")
        #expect(Set(steps.first?.keys.map { $0 } ?? []) == ["step", "counts", "waiting", "hours"])
        let customers = try #require(object["customers"] as? [String: Any])
        #expect(customers["sample"] is NSNull)
    }

    @Test func markdownHasAStepTableAndTheHourChart() async throws {
        let text = try await report().render(.markdown)
        #expect(text.contains("| hello | 4 | 4 (email 4) | 0 | 0 | 0 | 0 | 0 |"))
        #expect(text.contains("| again | 0 | 0 | 1 (cap:email:day 1) | 0 | 0 | 0 | 0 |"))
        #expect(text.contains("2026-12-01T13h ██████████████ 1"))
        #expect(text.contains("## What a backtest does not know"))
    }

    @Test func htmlIsOnePageWithAnInlineChartAndEscapedText() async throws {
        let text = try await report().render(.html)
        #expect(text.hasPrefix("<!doctype html>"))
        #expect(text.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(text.components(separatedBy: "<rect ").count - 1 == 4)
        #expect(text.contains("<title>2026-12-01T10:00Z: 3</title>"))
        #expect(!text.contains("<script"))
        #expect(BacktestHTML.escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
    }
}

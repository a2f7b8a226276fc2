import EngineCore

/// The report as Markdown: totals, a table of steps per scenario, sends per hour as a text chart.
enum BacktestMarkdown {
    static func render(_ report: BacktestReport) -> String {
        var lines: [String] = []
        lines.append("# Backtest \(ISO8601.format(report.window.from)) to \(ISO8601.format(report.window.to))")
        lines.append("")
        lines.append("Files: \(report.files.map { "`\($0)`" }.joined(separator: ", "))")
        lines.append("Policy: \(report.policy.map { "`\($0)`" } ?? "none (only opt-outs and bounces)")")
        lines.append("")
        lines.append("| read | |")
        lines.append("|---|---|")
        let read = report.read
        lines.append("| topic | `\(read.topic)` (\(read.partitions.count) partitions) |")
        lines.append("| records read | \(read.records) (\(read.beforeWindow) before the window) |")
        lines.append("| events | \(read.events) (\(read.inert) no scenario reacts to) |")
        lines.append(
            "| skipped records | \(read.skippedTotal) \(read.skippedTotal > 0 ? "(\(BacktestReport.breakdown(read.skipped)))" : "") |"
        )
        lines.append(
            "| customers | \(report.customers.replayed) replayed of \(report.customers.inHistory)\(report.customers.sample.map { " (sample of \($0))" } ?? "") |"
        )
        lines.append(
            "| events replayed | \(report.replay.events) (\(report.replay.transitions) transitions, \(report.replay.pendingTimers) timers pending at the end) |"
        )
        lines.append(
            "| time | read \(BacktestReport.figure(read.seconds)) s, replay \(BacktestReport.figure(report.replay.seconds)) s, "
                + "\(Int(report.eventsPerSecond)) records/s |"
        )
        lines.append("")
        lines.append("## Totals")
        lines.append("")
        lines += table([("all scenarios", report.totals, report.waiting)])
        for scenario in report.scenarios {
            lines.append("")
            lines.append(
                "## \(scenario.name) (`\(scenario.id)`\(scenario.versions.isEmpty ? "" : " v\(scenario.versions.map(String.init).joined(separator: ", "))"))"
            )
            lines.append("")
            lines += table(
                scenario.steps.map { ($0.step, $0.counts, $0.waiting) } + [
                    ("**total**", scenario.totals, scenario.waiting)
                ])
        }
        lines.append("")
        lines.append("## Sends per hour (UTC)")
        lines.append("")
        lines += chart(report.sendsPerHour)
        lines.append("")
        lines.append("## What a backtest does not know")
        lines.append("")
        lines += report.limitations.map { "- \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func table(_ rows: [(String, BacktestCounts, Int)]) -> [String] {
        var lines = [
            "| step | entered | sent | suppressed | deferred | converted | completed | waiting |",
            "|---|--:|---|---|---|--:|---|--:|",
        ]
        for (name, counts, waiting) in rows {
            lines.append(
                "| \(name) | \(counts.entered) | \(cell(counts.sentTotal, counts.sent)) | "
                    + "\(cell(counts.suppressedTotal, counts.suppressed)) | \(cell(counts.deferredTotal, counts.deferred)) | "
                    + "\(counts.converted) | \(cell(counts.completedTotal, counts.completed)) | \(waiting) |")
        }
        return lines
    }

    private static func cell(_ total: Int, _ parts: [String: Int]) -> String {
        total == 0 ? "0" : "\(total) (\(BacktestReport.breakdown(parts)))"
    }

    /// One row per hour with a bar of up to 40 blocks.
    private static func chart(_ hours: [(hour: Timestamp, sent: Int)]) -> [String] {
        let top = hours.map(\.sent).max() ?? 0
        var lines = ["```"]
        for (hour, sent) in hours {
            let width = top == 0 ? 0 : Int((Double(sent) / Double(top) * 40).rounded(.up))
            lines.append("\(String(ISO8601.format(hour).prefix(13)))h \(String(repeating: "█", count: width)) \(sent)")
        }
        lines.append("```")
        return lines
    }
}

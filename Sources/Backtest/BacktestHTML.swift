import Foundation
import EngineCore

/// The report as one standalone HTML page: the tables of the Markdown report and an inline SVG bar
/// chart of sends per UTC hour. No scripts, no external resources.
enum BacktestHTML {
    static func render(_ report: BacktestReport) -> String {
        var body: [String] = []
        let title = "Backtest \(ISO8601.format(report.window.from)) to \(ISO8601.format(report.window.to))"
        body.append("<h1>\(escape(title))</h1>")
        let read = report.read
        body.append("<table class=\"facts\">")
        let skipped = read.skippedTotal == 0 ? "0" : "\(read.skippedTotal) (\(BacktestReport.breakdown(read.skipped)))"
        let sample = report.customers.sample.map { " (sample of \($0))" } ?? ""
        let customers = "\(report.customers.replayed) replayed of \(report.customers.inHistory)\(sample)"
        let readTime = BacktestReport.figure(read.seconds)
        let replayTime = BacktestReport.figure(report.replay.seconds)
        let rate = Int(report.eventsPerSecond)
        let facts: [(String, String)] = [
            ("files", report.files.joined(separator: ", ")),
            ("policy", report.policy ?? "none (only opt-outs and bounces)"),
            ("topic", "\(read.topic) (\(read.partitions.count) partitions)"),
            ("records read", "\(read.records) (\(read.beforeWindow) before the window)"),
            ("events", "\(read.events) (\(read.inert) no scenario reacts to)"),
            ("skipped records", skipped),
            ("customers", customers),
            ("events replayed", "\(report.replay.events) (\(report.replay.pendingTimers) timers pending at the end)"),
            ("time", "read \(readTime) s, replay \(replayTime) s, \(rate) events/s"),
        ]
        for (name, value) in facts { body.append("<tr><th>\(escape(name))</th><td>\(escape(value))</td></tr>") }
        body.append("</table>")
        body.append("<h2>Sends per hour (UTC)</h2>")
        body.append(SendsChart.svg(report.sendsPerHour))
        body.append("<h2>Totals</h2>")
        body.append(table([("all scenarios", report.totals, report.waiting)]))
        for scenario in report.scenarios {
            body.append("<h2>\(escape(scenario.name)) <code>\(escape(scenario.id))</code></h2>")
            body.append(
                table(
                    scenario.steps.map { ($0.step, $0.counts, $0.waiting) } + [
                        ("total", scenario.totals, scenario.waiting)
                    ]))
        }
        body.append("<h2>What a backtest does not know</h2><ul>")
        body += report.limitations.map { "<li>\(escape($0))</li>" }
        body.append("</ul>")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
            td.n { text-align: right; }
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    private static func table(_ rows: [(String, BacktestCounts, Int)]) -> String {
        var html = [
            "<table><tr><th>step</th><th>entered</th><th>sent</th><th>suppressed</th><th>deferred</th>"
                + "<th>converted</th><th>completed</th><th>waiting</th></tr>"
        ]
        for (name, counts, waiting) in rows {
            html.append(
                "<tr><td>\(escape(name))</td><td class=\"n\">\(counts.entered)</td>"
                    + "<td>\(cell(counts.sentTotal, counts.sent))</td><td>\(cell(counts.suppressedTotal, counts.suppressed))</td>"
                    + "<td>\(cell(counts.deferredTotal, counts.deferred))</td><td class=\"n\">\(counts.converted)</td>"
                    + "<td>\(cell(counts.completedTotal, counts.completed))</td><td class=\"n\">\(waiting)</td></tr>")
        }
        html.append("</table>")
        return html.joined(separator: "\n")
    }

    private static func cell(_ total: Int, _ parts: [String: Int]) -> String {
        total == 0 ? "0" : escape("\(total) (\(BacktestReport.breakdown(parts)))")
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// An SVG bar chart of sends per hour: one bar per hour, the largest hour full height, a label on
/// the first hour of each day and a title (tooltip) on every bar.
enum SendsChart {
    static let height = 160.0
    static let left = 48.0
    static let bottom = 28.0

    static func svg(_ hours: [(hour: Timestamp, sent: Int)]) -> String {
        let top = max(1, hours.map(\.sent).max() ?? 0)
        let bar = max(2.0, min(24.0, 960.0 / Double(max(1, hours.count))))
        let width = left + bar * Double(hours.count) + 8
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height + bottom + 8))\" "
                + "role=\"img\" aria-label=\"sends per hour\" font-size=\"10\" font-family=\"sans-serif\">",
            "<text x=\"\(left - 4)\" y=\"12\" text-anchor=\"end\">\(top)</text>",
            "<text x=\"\(left - 4)\" y=\"\(height)\" text-anchor=\"end\">0</text>",
            "<line x1=\"\(left)\" y1=\"\(height)\" x2=\"\(width - 8)\" y2=\"\(height)\" stroke=\"#888\"/>",
        ]
        for (index, entry) in hours.enumerated() {
            let x = left + Double(index) * bar
            let barHeight = (height - 8) * Double(entry.sent) / Double(top)
            let label = String(ISO8601.format(entry.hour).prefix(13)) + ":00Z"
            parts.append(
                "<rect x=\"\(format(x + 0.5))\" y=\"\(format(height - barHeight))\" width=\"\(format(max(1, bar - 1)))\" "
                    + "height=\"\(format(barHeight))\" fill=\"#3b7dd8\"><title>\(label): \(entry.sent)</title></rect>")
            if label.hasSuffix("T00:00Z") || index == 0 {
                parts.append(
                    "<text x=\"\(format(x))\" y=\"\(format(height + 14))\">\(String(label.prefix(10)))</text>")
            }
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}

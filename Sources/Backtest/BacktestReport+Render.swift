import EngineCore
import Foundation

/// `--format`: JSON for tools, Markdown or a standalone HTML page (with an inline SVG chart) for people.
public enum BacktestFormat: String, Sendable, CaseIterable {
    case json, markdown, html
}

extension BacktestReport {
    public func render(_ format: BacktestFormat) throws(BacktestError) -> String {
        switch format {
        case .json: return try json()
        case .markdown: return BacktestMarkdown.render(self)
        case .html: return BacktestHTML.render(self)
        }
    }

    /// Sorted keys, so two reports diff line by line.
    public func json() throws(BacktestError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        } catch {
            throw BacktestError(.output, "the report does not encode as JSON: \(error)")
        }
    }

    /// Sends per UTC hour over the whole window, zeros included (the chart's bars).
    var sendsPerHour: [(hour: Timestamp, sent: Int)] {
        let first = window.from.milliseconds / BacktestTally.hourMilliseconds
        let last = (window.to.milliseconds - 1) / BacktestTally.hourMilliseconds
        var sent: [Int64: Int] = [:]
        for scenario in scenarios {
            for hour in scenario.hours {
                sent[hour.hour.milliseconds / BacktestTally.hourMilliseconds, default: 0] += hour.counts.sentTotal
            }
        }
        let hours = Set(first...max(first, last)).union(sent.keys).sorted()
        return hours.map { (Timestamp(milliseconds: $0 * BacktestTally.hourMilliseconds), sent[$0] ?? 0) }
    }

    /// `email 3, sms 1`; `-` when empty.
    static func breakdown(_ counts: [String: Int]) -> String {
        let parts = counts.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }

    /// Seconds for people: three decimals below 100 s.
    static func figure(_ seconds: Double) -> String {
        seconds >= 100 ? String(Int(seconds.rounded())) : String(format: "%.3f", seconds)
    }
}

import Foundation
import EngineCore
import ScenarioStore

/// `/console/scenarios`: every deployed scenario with its status, active version, lock holder and
/// today's entered, sent and converted.
enum ScenarioListPage {
    struct Row: Sendable {
        var scenario: DeployedScenario
        var name: String
        var lock: ScenarioLock?
        var today: ConsoleCounts
    }

    static func render(_ rows: [Row], user: ConsoleUser, notice: String? = nil) -> HTML {
        let body: HTML
        if rows.isEmpty {
            body = """
                <h1>Scenarios</h1>
                <p>Nothing is deployed yet. Deploy scenario files with <code>nudge deploy</code> or <code>nudge run</code>.</p>
                """
        } else {
            let lines: [HTML] = rows.map { row in
                let id = row.scenario.id
                return """
                    <tr>
                    <th scope="row"><a href="/console/scenarios/\(id)">\(row.name)</a><br><span class="muted">\(id)</span></th>
                    <td>\(ConsoleFormat.status(row.scenario.status))</td>
                    <td class="num">\(row.scenario.activeVersion)</td>
                    <td>\(row.lock.map { ConsoleFormat.lock($0) } ?? "—")</td>
                    <td class="num">\(row.today.value("total.entered"))</td>
                    <td class="num">\(row.today.value("total.sent"))</td>
                    <td class="num">\(row.today.value("total.converted"))</td>
                    </tr>
                    """
            }
            body = """
                <h1>Scenarios</h1>
                <div class="scroll">
                <table class="list">
                <caption>Deployed scenarios; counts since 00:00 UTC today</caption>
                <thead><tr><th scope="col">Scenario</th><th scope="col">Status</th><th scope="col">Active version</th>
                <th scope="col">Edit lock</th><th scope="col">Entered</th><th scope="col">Sent</th><th scope="col">Converted</th></tr></thead>
                <tbody>
                \(lines)
                </tbody>
                </table>
                </div>
                """
        }
        return ConsoleLayout.page(title: "Scenarios", user: user, body: body, notice: notice)
    }
}

/// How the console writes statuses, locks and times.
enum ConsoleFormat {
    static func status(_ status: Scenario.Status) -> HTML {
        "<span class=\"status status-\(status.rawValue)\">\(status.rawValue)</span>"
    }

    static func lock(_ lock: ScenarioLock) -> String {
        "\(lock.holder) until \(time(lock.expiresAt))"
    }

    /// `2026-12-06 19:45 UTC`.
    static func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 1970)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute)) UTC"
    }

    /// `text` as a URL query value (a customer id in a link): only unreserved characters stay.
    static func query(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The start of today in UTC: console counts run from here.
    static func startOfToday(_ now: Date) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }
}

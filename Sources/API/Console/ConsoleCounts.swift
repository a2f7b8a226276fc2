/// A scenario report as the console shows it: flat numbers by key, the same keys in the page
/// (`data-count`) and in the JSON the page script polls. Keys: `<step>.<field>` for `entered`,
/// `waiting`, `sent`, `suppressed` (all reasons), `delivered`, `opened`, `clicked`, `converted`;
/// `total.<field>` for the scenario; `goal.<id>` and `exit.<id>` for instances ended by them.
/// Suppression reasons go in `reasons` (step -> "reason count, ..."). Pure.
struct ConsoleCounts: Sendable, Equatable, Encodable {
    var counts: [String: Int]
    var reasons: [String: String]

    static let fields = ["entered", "waiting", "sent", "suppressed", "delivered", "opened", "clicked", "converted"]

    init(_ report: ScenarioReport) {
        var counts: [String: Int] = [:]
        var reasons: [String: String] = [:]
        for step in report.steps {
            guard let id = step.step else { continue }
            for field in Self.fields { counts["\(id).\(field)"] = Self.value(field, of: step) }
            reasons[id] = Self.reasons(step.suppressed)
        }
        for field in Self.fields { counts["total.\(field)"] = Self.value(field, of: report.totals) }
        reasons["total"] = Self.reasons(report.totals.suppressed)
        for (reason, count) in report.totals.completed {
            if reason.hasPrefix("goal:") { counts["goal.\(reason.dropFirst(5))", default: 0] += count }
            if reason.hasPrefix("exit:") { counts["exit.\(reason.dropFirst(5))", default: 0] += count }
        }
        self.counts = counts
        self.reasons = reasons
    }

    func value(_ key: String) -> Int { counts[key] ?? 0 }

    private static func value(_ field: String, of counts: ScenarioReport.Counts) -> Int {
        switch field {
        case "entered": counts.entered
        case "waiting": counts.waiting
        case "sent": counts.sent
        case "suppressed": counts.suppressed.values.reduce(0, +)
        case "delivered": counts.delivered
        case "opened": counts.opened
        case "clicked": counts.clicked
        case "converted": counts.converted
        default: 0
        }
    }

    private static func reasons(_ suppressed: [String: Int]) -> String {
        suppressed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

import Foundation

/// What a scenario did over a time range, in total, per step and per UTC hour. Engine counters
/// (entered, completed by reason, waiting now) come from Redis, message outcomes from the
/// message log. Pure: `ScenarioReportReader` fills it, tests can too.
struct ScenarioReport: Encodable, Sendable {
    var scenario: String
    var from: Date
    var to: Date
    var totals = Counts()
    var steps: [Counts] = []
    var hours: [HourCounts] = []
    /// Treated against holdout conversion, when the range has holdout members.
    var holdout: HoldoutComparison?

    /// Counts of one step, or of the whole scenario (`step` nil).
    struct Counts: Encodable, Sendable, Equatable {
        var step: String?
        /// Instances that started here (the first step).
        var entered = 0
        /// Instances at this step right now (whatever the range).
        var waiting = 0
        /// Instances that ended while here, by reason: `goal:<id>`, `exit:<id>`, `end`, `timeout`, ...
        var completed: [String: Int] = [:]
        /// Goal completions: the `goal:*` part of `completed`.
        var converted = 0
        /// Messages by the status they reached within the range (each message once per status).
        var sent = 0
        var delivered = 0
        var opened = 0
        var clicked = 0
        var failed = 0
        var bounced = 0
        var deferred = 0
        /// Messages the contact policy held back, by reason (`cap:...`, `quiet_hours`, `opted_out`, ...).
        var suppressed: [String: Int] = [:]
        /// Sent messages a shadow rule (`shadow: true` in the policy) would have stopped, by rule.
        var wouldSuppress: [String: Int] = [:]

        enum CodingKeys: String, CodingKey {
            case step, entered, waiting, completed, converted, sent, delivered, opened, clicked, failed, bounced
            case deferred, suppressed
            case wouldSuppress = "would_suppress"
        }
    }

    struct HourCounts: Encodable, Sendable, Equatable {
        var hour: Date
        var entered = 0
        var completed = 0
        var converted = 0
        var sent = 0
        var delivered = 0
        var opened = 0
        var clicked = 0
        var suppressed = 0
        var wouldSuppress = 0

        init(hour: Date) { self.hour = hour }

        enum CodingKeys: String, CodingKey {
            case hour, entered, completed, converted, sent, delivered, opened, clicked, suppressed
            case wouldSuppress = "would_suppress"
        }
    }
}

/// Assembles a `ScenarioReport` from raw counters.
struct ScenarioReportBuilder {
    private var report: ScenarioReport
    private var steps: [String: ScenarioReport.Counts] = [:]
    private var hours: [Date: ScenarioReport.HourCounts] = [:]
    private let stepOrder: [String]
    private var holdoutEntered = 0
    private var holdoutConverted = 0

    /// `stepOrder`: how the active version lists its steps; other steps follow by name.
    init(scenario: String, from: Date, to: Date, stepOrder: [String]) {
        report = ScenarioReport(scenario: scenario, from: from, to: to)
        self.stepOrder = stepOrder
    }

    /// The UTC hours whose engine counters belong to the range: from the hour holding `from` up
    /// to the last hour starting before `to`.
    static func hours(from: Date, to: Date) -> [Date] {
        var hour = Date(timeIntervalSince1970: (from.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        var hours: [Date] = []
        while hour < to {
            hours.append(hour)
            hour = hour.addingTimeInterval(3600)
        }
        return hours
    }

    /// `yyyyMMddHH` in UTC, as the engine names its hour buckets.
    static func bucket(_ hour: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour], from: hour)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))\(two(parts.hour))"
    }

    /// One hour's engine counters: fields `entered|<step>`, `completed|<reason>|<step>`,
    /// `would_suppress|<rule>|<step>`, `holdout|entered` and `holdout|completed|<reason>`.
    mutating func addEngineCounters(hour: Date, fields: [String: Int]) {
        var bucket = hours[hour] ?? ScenarioReport.HourCounts(hour: hour)
        for (field, count) in fields {
            let parts = field.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            switch (parts.first, parts.count) {
            case ("entered", 2):
                steps[parts[1], default: .init(step: parts[1])].entered += count
                bucket.entered += count
            case ("would_suppress", 3):
                let (rule, step) = (parts[1], parts[2])
                steps[step, default: .init(step: step)].wouldSuppress[rule, default: 0] += count
                bucket.wouldSuppress += count
            case ("holdout", 2) where parts[1] == "entered":
                holdoutEntered += count
            case ("holdout", 3) where parts[1] == "completed":
                if parts[2].hasPrefix("goal:") { holdoutConverted += count }
            case ("completed", 3):
                let (reason, step) = (parts[1], parts[2])
                steps[step, default: .init(step: step)].completed[reason, default: 0] += count
                bucket.completed += count
                if reason.hasPrefix("goal:") {
                    steps[step, default: .init(step: step)].converted += count
                    bucket.converted += count
                }
            default: continue
            }
        }
        hours[hour] = bucket
    }

    /// The live counters: fields `waiting|<step>`.
    mutating func addWaiting(fields: [String: Int]) {
        for (field, count) in fields where field.hasPrefix("waiting|") {
            let step = String(field.dropFirst("waiting|".count))
            steps[step, default: .init(step: step)].waiting += count
        }
    }

    /// Messages of a step that reached `status` in the range (`reason` for suppressions).
    mutating func addMessages(step: String, status: String, reason: String, count: Int) {
        var counts = steps[step] ?? .init(step: step)
        Self.add(status: status, reason: reason, count: count, to: &counts)
        steps[step] = counts
    }

    mutating func addMessages(hour: Date, status: String, count: Int) {
        var bucket = hours[hour] ?? ScenarioReport.HourCounts(hour: hour)
        switch status {
        case "sent": bucket.sent += count
        case "delivered": bucket.delivered += count
        case "opened": bucket.opened += count
        case "clicked": bucket.clicked += count
        case "suppressed": bucket.suppressed += count
        default: break
        }
        hours[hour] = bucket
    }

    var result: ScenarioReport {
        var report = report
        let known = Set(stepOrder)
        let ordered = stepOrder.filter { steps[$0] != nil } + steps.keys.filter { !known.contains($0) }.sorted()
        report.steps = ordered.compactMap { steps[$0] }
        var totals = ScenarioReport.Counts()
        for step in report.steps {
            totals.entered += step.entered
            totals.waiting += step.waiting
            totals.completed.merge(step.completed, uniquingKeysWith: +)
            totals.converted += step.converted
            totals.sent += step.sent
            totals.delivered += step.delivered
            totals.opened += step.opened
            totals.clicked += step.clicked
            totals.failed += step.failed
            totals.bounced += step.bounced
            totals.deferred += step.deferred
            totals.suppressed.merge(step.suppressed, uniquingKeysWith: +)
            totals.wouldSuppress.merge(step.wouldSuppress, uniquingKeysWith: +)
        }
        if holdoutEntered > 0 || holdoutConverted > 0 {
            report.holdout = HoldoutComparison(
                entered: totals.entered, converted: totals.converted, holdoutEntered: holdoutEntered,
                holdoutConverted: holdoutConverted)
        }
        report.totals = totals
        report.hours = hours.values.sorted { $0.hour < $1.hour }
        return report
    }

    private static func add(status: String, reason: String, count: Int, to counts: inout ScenarioReport.Counts) {
        switch status {
        case "sent": counts.sent += count
        case "delivered": counts.delivered += count
        case "opened": counts.opened += count
        case "clicked": counts.clicked += count
        case "failed": counts.failed += count
        case "bounced": counts.bounced += count
        case "deferred": counts.deferred += count
        case "suppressed": counts.suppressed[reason.isEmpty ? "unknown" : reason, default: 0] += count
        default: break
        }
    }
}

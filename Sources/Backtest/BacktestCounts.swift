/// What happened at one step (or a scenario, or everything) in a backtest: the same quantities the
/// engine's reports count, plus the contact policy's decisions.
public struct BacktestCounts: Sendable, Equatable {
    /// Instances started (counted at their first step, as the engine's `entered|<step>`).
    public var entered = 0
    /// Messages the policy let through, by channel: what would have been sent.
    public var sent: [String: Int] = [:]
    /// Messages the policy stopped, by reason (`cap:email:day`, `unsubscribed`, `duplicate`, ...).
    public var suppressed: [String: Int] = [:]
    /// Messages the policy held for later, by reason (`quiet_hours`, `cap:...`); decided again when
    /// the hold ends, so a held message that then goes out is also in `sent`.
    public var deferred: [String: Int] = [:]
    /// Instances that ended, by reason (`goal:<id>`, `exit:<id>`, `end`, `timeout`, ...), counted at
    /// the step they were at (the engine's `completed|<reason>|<step>`).
    public var completed: [String: Int] = [:]
    /// Instances that ended by reaching a goal.
    public var converted = 0
    /// Messages that went out although a shadow rule of the policy (`shadow: true`) would have
    /// stopped or held them, by rule (the engine's `would_suppress|<rule>|<step>`).
    public var wouldSuppress: [String: Int] = [:]
    /// Instances entered into a holdout (sent nothing), and those of them that reached a goal.
    public var heldOut = 0
    public var heldOutConverted = 0

    public init() {}

    public var sentTotal: Int { sent.values.reduce(0, +) }
    public var suppressedTotal: Int { suppressed.values.reduce(0, +) }
    public var deferredTotal: Int { deferred.values.reduce(0, +) }
    public var completedTotal: Int { completed.values.reduce(0, +) }
    public var wouldSuppressTotal: Int { wouldSuppress.values.reduce(0, +) }

    public var isEmpty: Bool { self == BacktestCounts() }

    public mutating func add(_ other: BacktestCounts) {
        entered += other.entered
        converted += other.converted
        heldOut += other.heldOut
        heldOutConverted += other.heldOutConverted
        wouldSuppress.merge(other.wouldSuppress, uniquingKeysWith: +)
        sent.merge(other.sent, uniquingKeysWith: +)
        suppressed.merge(other.suppressed, uniquingKeysWith: +)
        deferred.merge(other.deferred, uniquingKeysWith: +)
        completed.merge(other.completed, uniquingKeysWith: +)
    }
}

extension BacktestCounts: Encodable {
    enum CodingKeys: String, CodingKey {
        case entered, sent, suppressed, deferred, completed, converted
        case sentTotal = "sent_total"
        case suppressedTotal = "suppressed_total"
        case deferredTotal = "deferred_total"
        case completedTotal = "completed_total"
        case wouldSuppress = "would_suppress"
        case wouldSuppressTotal = "would_suppress_total"
        case heldOut = "held_out"
        case heldOutConverted = "held_out_converted"
    }

    /// Every field always present, maps possibly empty: a stable shape for tools.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entered, forKey: .entered)
        try container.encode(sent, forKey: .sent)
        try container.encode(sentTotal, forKey: .sentTotal)
        try container.encode(suppressed, forKey: .suppressed)
        try container.encode(suppressedTotal, forKey: .suppressedTotal)
        try container.encode(deferred, forKey: .deferred)
        try container.encode(deferredTotal, forKey: .deferredTotal)
        try container.encode(completed, forKey: .completed)
        try container.encode(completedTotal, forKey: .completedTotal)
        try container.encode(converted, forKey: .converted)
        try container.encode(wouldSuppress, forKey: .wouldSuppress)
        try container.encode(wouldSuppressTotal, forKey: .wouldSuppressTotal)
        try container.encode(heldOut, forKey: .heldOut)
        try container.encode(heldOutConverted, forKey: .heldOutConverted)
    }
}

/// A share of customers kept out of every send, so that what the sends achieve can be measured
/// against customers who got nothing (uplift). Members enter scenarios, wait, branch and reach
/// goals like everyone else; their messages and content are withheld with the reason `holdout`.
/// Membership is a stable hash of the customer id: the same in every process, run and replay.
public struct Holdout: Sendable, Equatable {
    /// 0 < percent < 100, to two decimals.
    public var percent: Double
    /// Changing the salt draws a new holdout group; the default keeps it stable across versions.
    public var salt: String

    public init(percent: Double, salt: String = "") {
        self.percent = percent
        self.salt = salt
    }

    /// Whether `customer` is held out. `scope` separates draws: a scenario's holdout uses the
    /// scenario id, the programme holdout the empty scope, so one customer is in the programme
    /// group for every scenario.
    public func contains(customer: String, scope: String) -> Bool {
        let bucket = StableHash.fnv1a64("holdout", scope, salt, customer) % 10_000
        return Double(bucket) < (percent * 100).rounded()
    }
}

/// Why an instance's customer receives nothing from it.
public enum HoldoutArm: String, Sendable, Equatable, Codable {
    /// The scenario's own `holdout:`: every send and content block of the scenario is withheld.
    case scenario
    /// The policy's programme-wide `holdout:`: every non-transactional send is withheld.
    case programme
}

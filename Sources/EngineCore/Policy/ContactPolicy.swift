/// The contact policy (`rules/policy.yaml`): parsed and validated here; enforced by the policy
/// stage of the pipeline.
public struct ContactPolicy: Sendable {
    public struct Cap: Sendable, Equatable {
        /// A channel name, or nil for a cap across all channels.
        public var channel: String?
        public var max: Int
        public var period: TimeSpan
    }

    public struct QuietHours: Sendable, Equatable {
        public var from: TimeOfDay
        public var to: TimeOfDay
        /// Channels it applies to; empty means all.
        public var channels: [String]
    }

    /// What happens to a message a cap would exceed: dropped with a reason, or held until the
    /// cap's window has room again.
    public enum CapAction: String, Sendable, Equatable {
        case suppress, `defer`
    }

    public var defaultTimeZone: String
    public var caps: [Cap]
    public var quietHours: QuietHours?
    /// Scenario id -> priority; when a cap is hit, higher priorities go first.
    public var priorities: [String: Int]
    public var dedupWindow: TimeSpan?
    public var transactionalExempt: Bool
    public var capAction: CapAction = .suppress
    public var location: SourceLocation
    /// Rules marked `shadow: true`: evaluated beside the enforced ones and counted as
    /// `would_suppress` by rule, never enforced. Removing the `shadow: true` line enforces one.
    public var shadowCaps: [Cap] = []
    public var shadowQuietHours: [QuietHours] = []
    /// The programme-wide holdout: customers who get no non-transactional message at all.
    public var holdout: Holdout?
}

extension ContactPolicy {
    /// No caps, no quiet hours: only opt-outs, bounces and complaints, which always hold.
    public static let unrestricted = ContactPolicy(
        defaultTimeZone: "UTC", caps: [], quietHours: nil, priorities: [:], dedupWindow: nil, transactionalExempt: true,
        location: SourceLocation(file: "(built-in)", line: 1, column: 1))
}

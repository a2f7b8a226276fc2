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

    public struct RateLimit: Sendable, Equatable {
        public var connector: String
        public var perSecond: Int
        public var burst: Int
    }

    public var defaultTimeZone: String
    public var caps: [Cap]
    public var quietHours: QuietHours?
    /// Scenario id -> priority; when a cap is hit, higher priorities go first.
    public var priorities: [String: Int]
    public var dedupWindow: TimeSpan?
    public var transactionalExempt: Bool
    public var rateLimits: [RateLimit]
    public var location: SourceLocation
}

/// Everything an expression may read. Built by the transition function for each evaluation, so
/// it holds only what expressions use: a copy costs a handful of reference counts.
public struct EvaluationContext: Sendable {
    public var event: Event?
    public var profile: [String: Value]
    public var params: [String: Value]
    public var now: Timestamp
    /// The instance's variables and built-ins (`instance.id`, `.key`, `.started_at`).
    var instanceVars: [String: Value]
    var instanceId: String?
    var instanceKey: String?
    var instanceStartedAt: Timestamp?

    public init(
        event: Event? = nil, profile: [String: Value] = [:], instance: InstanceState? = nil,
        params: [String: Value] = [:], now: Timestamp
    ) {
        self.event = event
        self.profile = profile
        self.params = params
        self.now = now
        instanceVars = instance?.vars ?? [:]
        instanceId = instance?.id
        instanceKey = instance?.key
        instanceStartedAt = instance?.startedAt
    }
}

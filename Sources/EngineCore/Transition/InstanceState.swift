/// One running scenario instance. Holds only references to the scenario (id + version + step)
/// and a few variables; the definition itself stays in the catalog.
public struct InstanceState: Sendable, Equatable, Codable {
    public var id: String
    public var scenario: String
    public var version: Int
    public var step: String
    /// Counts step entries; part of message and timer ids so a step visited twice (a loop)
    /// still gets distinct, deterministic ids.
    public var visits: Int
    /// The concurrency key (e.g. the application id) when the scenario has one.
    public var key: String?
    public var vars: [String: Value]
    /// The one timer the current step waits on, if any.
    public var timer: PendingTimer?
    public var startedAt: Timestamp
    /// Content slots this instance filled; cleared when it completes.
    public var slots: [String]
    /// Set when the customer is in the scenario's or the programme's holdout: sends are withheld.
    public var holdout: HoldoutArm?

    public init(
        id: String, scenario: String, version: Int, step: String, visits: Int = 0, key: String? = nil,
        vars: [String: Value] = [:], timer: PendingTimer? = nil, startedAt: Timestamp, slots: [String] = [],
        holdout: HoldoutArm? = nil
    ) {
        self.id = id
        self.scenario = scenario
        self.version = version
        self.step = step
        self.visits = visits
        self.key = key
        self.vars = vars
        self.timer = timer
        self.startedAt = startedAt
        self.slots = slots
        self.holdout = holdout
    }

    enum CodingKeys: String, CodingKey {
        case id = "i"
        case scenario = "s"
        case version = "v"
        case step = "p"
        case visits = "n"
        case key = "k"
        case vars = "x"
        case timer = "t"
        case startedAt = "a"
        case slots = "c"
        case holdout = "h"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        scenario = try container.decode(String.self, forKey: .scenario)
        version = try container.decode(Int.self, forKey: .version)
        step = try container.decode(String.self, forKey: .step)
        visits = try container.decode(Int.self, forKey: .visits)
        key = try container.decodeIfPresent(String.self, forKey: .key)
        vars = try container.decodeIfPresent([String: Value].self, forKey: .vars) ?? [:]
        timer = try container.decodeIfPresent(PendingTimer.self, forKey: .timer)
        startedAt = try container.decode(Timestamp.self, forKey: .startedAt)
        slots = try container.decodeIfPresent([String].self, forKey: .slots) ?? []
        holdout = try container.decodeIfPresent(HoldoutArm.self, forKey: .holdout)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(version, forKey: .version)
        try container.encode(step, forKey: .step)
        try container.encode(visits, forKey: .visits)
        try container.encodeIfPresent(key, forKey: .key)
        if !vars.isEmpty { try container.encode(vars, forKey: .vars) }
        try container.encodeIfPresent(timer, forKey: .timer)
        try container.encode(startedAt, forKey: .startedAt)
        if !slots.isEmpty { try container.encode(slots, forKey: .slots) }
        try container.encodeIfPresent(holdout, forKey: .holdout)
    }
}

/// A loaded, validated, compiled scenario: one version of one file in `rules/`.
/// Immutable and shared: a class, so the catalog, the index and every transition hold the
/// same instance instead of copying a dozen fields each time.
public final class Scenario: Sendable {
    public enum Status: String, Sendable, CaseIterable {
        /// Not deployed: never entered.
        case draft
        /// Entered by its triggers.
        case active
        /// No new entries; running instances go on.
        case paused
        /// Kept only so running instances can finish.
        case archived
    }

    public let id: String
    public let version: Int
    public let name: String
    public let description: String
    public let owner: String
    public let status: Status
    public let params: [String: Value]
    public let trigger: Trigger
    public let entry: EntryRule
    public let vars: [(name: String, value: CompiledExpression)]
    public let goals: [ExitRule]
    public let exits: [ExitRule]
    public let start: String
    public let steps: [String: Step]
    /// Step ids in file order, for documentation and stable iteration.
    public let stepOrder: [String]
    /// Event index keys that running instances react to: goals, exits, waits and digests.
    public let instanceEvents: Set<String>
    /// The scenario's holdout (`holdout: {percent}`): members run through it and are sent nothing.
    public let holdout: Holdout?
    public let location: SourceLocation

    init(
        id: String, version: Int, name: String, description: String, owner: String, status: Status,
        params: [String: Value], trigger: Trigger, entry: EntryRule, vars: [(name: String, value: CompiledExpression)],
        goals: [ExitRule], exits: [ExitRule], start: String, steps: [String: Step], stepOrder: [String],
        instanceEvents: Set<String>, holdout: Holdout? = nil, location: SourceLocation
    ) {
        self.id = id
        self.version = version
        self.name = name
        self.description = description
        self.owner = owner
        self.status = status
        self.params = params
        self.trigger = trigger
        self.entry = entry
        self.vars = vars
        self.goals = goals
        self.exits = exits
        self.start = start
        self.steps = steps
        self.stepOrder = stepOrder
        self.instanceEvents = instanceEvents
        self.holdout = holdout
        self.location = location
    }

    /// The same scenario with another status (simulation runs drafts as if active).
    public func with(status: Status) -> Scenario {
        Scenario(
            id: id, version: version, name: name, description: description, owner: owner, status: status,
            params: params, trigger: trigger, entry: entry, vars: vars, goals: goals, exits: exits, start: start,
            steps: steps, stepOrder: stepOrder, instanceEvents: instanceEvents, holdout: holdout, location: location)
    }

    public var reference: ScenarioVersion { ScenarioVersion(id: id, version: version) }
}

public struct ScenarioVersion: Sendable, Hashable, CustomStringConvertible {
    public var id: String
    public var version: Int

    public init(id: String, version: Int) {
        self.id = id
        self.version = version
    }

    public var description: String { "\(id)@\(version)" }
}

public enum Trigger: Sendable {
    /// An event, with a condition on its properties and the profile.
    case event(name: String, condition: CompiledExpression?)
    /// A moment relative to a profile date attribute ("7 days before profile.bonus_expires_at").
    case date(DateTrigger)
    /// No `event` for `span` ("no Order Completed for 14 days"), re-armed by each such event.
    case absence(name: String, span: TimeSpan, condition: CompiledExpression?)
}

public struct DateTrigger: Sendable {
    /// The profile attribute holding the date (`birthday`, `bonus_expires_at`).
    public var attribute: String
    /// Added to the date; negative for "before". Whole days move by calendar days, DST-safe.
    public var offset: TimeSpan
    /// Local time of day on the resulting day, in the customer's time zone.
    public var at: TimeOfDay?
    /// Every year on the anniversary (birthdays), instead of once.
    public var yearly: Bool
    /// Checked when the moment comes, on the profile as it is then.
    public var condition: CompiledExpression?
}

/// Who may enter, and how often.
public struct EntryRule: Sendable {
    public enum Frequency: Sendable, Equatable {
        /// Again after the previous instance (for the same key) has finished.
        case always
        case once
        case oncePer(TimeSpan)
    }

    /// Concurrent instances keyed by this value (one per application id); one per customer if nil.
    public var key: CompiledExpression?
    public var frequency: Frequency

    public init(key: CompiledExpression? = nil, frequency: Frequency = .always) {
        self.key = key
        self.frequency = frequency
    }
}

/// A goal or exit: an event, with an optional condition, that ends an instance at any step.
public struct ExitRule: Sendable {
    public var id: String
    public var event: String
    public var condition: CompiledExpression?
}

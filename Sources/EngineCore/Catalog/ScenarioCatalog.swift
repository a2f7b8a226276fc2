/// The loaded scenarios, every version of each, indexed for the transition function.
/// Immutable once built: the runtime swaps in a new catalog on deploy.
public struct ScenarioCatalog: Sendable {
    private var versions: [ScenarioVersion: Scenario] = [:]
    /// Scenario id -> the version new customers enter (the highest, when it is active).
    private var live: [String: Scenario] = [:]
    private var index: [String: EventInterest] = [:]
    /// Profile attribute -> live scenarios with a date trigger on it.
    private var dateTriggers: [String: [Scenario]] = [:]
    /// Live scenarios with an absence trigger, by id.
    private(set) var absenceScenarios: [Scenario] = []
    /// `id@version` of every live scenario with a date or absence trigger, sorted. Customers'
    /// trigger timers depend on exactly these: when the list changes, existing customers need a
    /// `.replan` (see `Input.replan`); when it is the same, they do not.
    public private(set) var timerTriggerScenarios: [String] = []

    public init(_ scenarios: [Scenario]) throws(RuleErrors) {
        var errors: [RuleError] = []
        for scenario in scenarios {
            if let existing = versions[scenario.reference] {
                errors.append(
                    RuleError(
                        .duplicate, at: scenario.location,
                        "scenario \(scenario.reference) is already defined at \(existing.location)"))
                continue
            }
            versions[scenario.reference] = scenario
        }
        guard errors.isEmpty else { throw RuleErrors(errors) }
        var highest: [String: Scenario] = [:]
        for scenario in versions.values where scenario.version > highest[scenario.id]?.version ?? 0 {
            highest[scenario.id] = scenario
        }
        for (id, scenario) in highest where scenario.status == .active { live[id] = scenario }
        buildIndex()
    }

    private mutating func buildIndex() {
        // Sorted so that effects come out in the same order in every process.
        for scenario in live.values.sorted(by: { $0.id < $1.id }) {
            switch scenario.trigger {
            case .event(let name, _): index[name, default: EventInterest()].triggers.append(scenario)
            case .absence(let name, _, _):
                index[name, default: EventInterest()].absences.append(scenario)
                absenceScenarios.append(scenario)
                timerTriggerScenarios.append(scenario.reference.description)
            case .date(let trigger):
                dateTriggers[trigger.attribute, default: []].append(scenario)
                timerTriggerScenarios.append(scenario.reference.description)
            }
        }
        for scenario in versions.values {
            for event in scenario.instanceEvents {
                index[event, default: EventInterest()].instanceScenarios.insert(scenario.id)
            }
        }
    }

    /// The version an instance runs, whatever has been deployed since it started.
    public func scenario(id: String, version: Int) -> Scenario? {
        versions[ScenarioVersion(id: id, version: version)]
    }

    /// The version new entries get, or nil when the scenario is paused, archived or unknown.
    public func liveScenario(id: String) -> Scenario? {
        live[id]
    }

    /// Who cares about an event (by `Event.indexKey`); empty for events nobody listens to.
    public func interest(in eventKey: String) -> EventInterest {
        index[eventKey] ?? EventInterest()
    }

    func scenariosWithDateTrigger(on attribute: String) -> [Scenario] {
        dateTriggers[attribute] ?? []
    }

    var dateAttributes: some Collection<String> { dateTriggers.keys }

    public var all: [Scenario] {
        versions.values.sorted { ($0.id, $0.version) < ($1.id, $1.version) }
    }
}

/// The scenarios one event type matters to.
public struct EventInterest: Sendable {
    /// Live scenarios this event may start.
    public var triggers: [Scenario] = []
    /// Live scenarios whose absence timer this event re-arms.
    public var absences: [Scenario] = []
    /// Scenario ids (any version) whose running instances react to it: goals, exits, waits.
    public var instanceScenarios: Set<String> = []

    public var isEmpty: Bool { triggers.isEmpty && absences.isEmpty && instanceScenarios.isEmpty }
}

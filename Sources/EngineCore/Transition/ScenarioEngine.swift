import Foundation

/// The pure step function of the platform:
/// `(customer state, input, now) -> (new state, effects)`.
/// Deterministic: no clock, no randomness, no I/O, no shared mutable state.
public struct ScenarioEngine: Sendable {
    public let catalog: ScenarioCatalog
    /// Every message a transition wants to send passes it (see `TransitionRun+Policy`).
    public let policy: PolicyEvaluator

    /// Bound on steps run for one instance in one transition; validation already rejects
    /// cycles without a wait, this only guards against a catalog built around the loader.
    static let stepBudget = 256

    public init(catalog: ScenarioCatalog, policy: ContactPolicy = .unrestricted) {
        self.catalog = catalog
        self.policy = PolicyEvaluator(policy: policy)
    }

    /// Whether `event` can change any customer under this catalog. False for a track, page or
    /// screen that no scenario listens to (trigger, absence, goal, exit, wait, digest) and that is
    /// no contact feedback: its transition returns any state unchanged with no effects, so the
    /// runtime may skip it without loading the customer. Identify always matters (traits).
    public func mayChange(with event: Event) -> Bool {
        mayChange(kind: event.kind, name: event.name)
    }

    /// `mayChange(with:)` from an event's kind and name alone, which is all it depends on.
    public func mayChange(kind: Event.Kind, name: String) -> Bool {
        if kind == .identify { return true }
        if kind == .track, TransitionRun.contactFeedbackNames.contains(name) { return true }
        return !catalog.interest(in: Event.indexKey(kind: kind, name: name)).isEmpty
    }

    public func transition(_ state: CustomerState, _ input: Input, now: Timestamp) -> Transition {
        var run = TransitionRun(
            catalog: catalog, state: state, now: now, defaultTimeZone: policy.defaultTimeZone,
            programmeHoldout: policy.policy.holdout)
        switch input {
        case .event(let event):
            run.noteContactFeedback(event)
            run.handle(event)
        case .feedback(let feedback):
            let event = feedback.event(customerId: state.customerId)
            run.noteContactFeedback(event)
            run.handle(event)
        case .timer(let id) where id.hasPrefix(ContactState.heldTimerPrefix):
            run.releaseHeld(timerId: id, policy: policy)
        case .timer(let id): run.handleTimer(id)
        case .replan: run.replanAllTriggers()
        }
        run.applyPolicy(policy)
        return Transition(state: run.state, effects: run.effects)
    }
}

/// The working copy of one transition: the state being changed and the effects so far.
struct TransitionRun {
    let catalog: ScenarioCatalog
    var state: CustomerState
    let now: Timestamp
    /// The policy's `default_timezone`, for customers without `profile.timezone`.
    let defaultTimeZone: TimeZone
    /// The policy's programme-wide holdout, checked when an instance starts.
    let programmeHoldout: Holdout?
    var effects: [Effect] = []

    init(
        catalog: ScenarioCatalog, state: CustomerState, now: Timestamp, defaultTimeZone: TimeZone,
        programmeHoldout: Holdout? = nil
    ) {
        self.catalog = catalog
        self.state = state
        self.now = now
        self.defaultTimeZone = defaultTimeZone
        self.programmeHoldout = programmeHoldout
    }

    /// The customer's time zone as the profile stands now (an identify may have changed it).
    var timeZone: TimeZone { LocalTime.timeZone(of: state.profile, default: defaultTimeZone) }

    mutating func handle(_ event: Event) {
        if event.kind == .identify { applyTraits(event.traits) }
        let interest = catalog.interest(in: event.indexKey)
        if interest.isEmpty { return }
        // A typical reaction has a few effects; one allocation instead of growing 1, 2, 4.
        effects.reserveCapacity(4)
        for scenario in interest.absences { armAbsence(scenario, after: event) }
        if !state.instances.isEmpty, !interest.instanceScenarios.isEmpty {
            deliverToInstances(event, interest: interest)
        }
        for scenario in interest.triggers {
            guard case .event(_, let condition) = scenario.trigger else { continue }
            if let condition, !condition.holds(context(event: event, instance: nil, scenario: scenario)) { continue }
            enter(scenario, event: event, entryId: event.messageId)
        }
    }

    /// Goals and exits first (they end an instance from any step), then waits and digests.
    private mutating func deliverToInstances(_ event: Event, interest: EventInterest) {
        let key = event.indexKey
        var kept: [InstanceState] = []
        kept.reserveCapacity(state.instances.count)
        for var instance in state.instances {
            guard interest.instanceScenarios.contains(instance.scenario) else {
                kept.append(instance)
                continue
            }
            guard let scenario = catalog.scenario(id: instance.scenario, version: instance.version) else {
                finish(instance, reason: .scenarioMissing)
                continue
            }
            if let reason = exitReason(for: event, key: key, instance: instance, scenario: scenario) {
                finish(instance, reason: reason)
                continue
            }
            if let reason = react(to: event, key: key, instance: &instance, scenario: scenario) {
                finish(instance, reason: reason)
                continue
            }
            kept.append(instance)
        }
        state.instances = kept
    }

    private func exitReason(
        for event: Event, key: String, instance: InstanceState, scenario: Scenario
    )
        -> Completion.Reason?
    {
        guard scenario.instanceEvents.contains(key) else { return nil }
        for goal in scenario.goals where goal.event == key {
            if goal.condition?.holds(context(event: event, instance: instance, scenario: scenario)) ?? true {
                return .goal(goal.id)
            }
        }
        for exit in scenario.exits where exit.event == key {
            if exit.condition?.holds(context(event: event, instance: instance, scenario: scenario)) ?? true {
                return .exit(exit.id)
            }
        }
        return nil
    }

    /// A waiting step that this event satisfies moves on. Returns a reason if the instance ended.
    private mutating func react(
        to event: Event, key: String, instance: inout InstanceState, scenario: Scenario
    )
        -> Completion.Reason?
    {
        guard let step = scenario.steps[instance.step] else { return nil }
        switch step.kind {
        case .waitForEvent(let wait) where wait.event == key:
            let matches = wait.condition?.holds(context(event: event, instance: instance, scenario: scenario)) ?? true
            guard matches else { return nil }
            cancelTimer(of: &instance)
            return runSteps(&instance, scenario: scenario, from: wait.onEvent, event: event)
        case .digest(let digest, _) where digest.event == key:
            collect(event, into: &instance, digest: digest, scenario: scenario)
            return nil
        default:
            return nil
        }
    }

    mutating func handleTimer(_ id: String) {
        if let index = state.instances.firstIndex(where: { $0.timer?.id == id }) {
            effects.reserveCapacity(4)
            var instance = state.instances[index]
            instance.timer = nil
            guard let scenario = catalog.scenario(id: instance.scenario, version: instance.version),
                let step = scenario.steps[instance.step]
            else {
                state.instances.remove(at: index)
                finish(instance, reason: .scenarioMissing)
                return
            }
            let reason: Completion.Reason?
            switch step.kind {
            case .wait(_, let next), .digest(_, let next):
                reason = runSteps(&instance, scenario: scenario, from: next, event: nil)
            case .waitForEvent(let wait):
                reason =
                    wait.onTimeout == nil
                    ? .timeout : runSteps(&instance, scenario: scenario, from: wait.onTimeout, event: nil)
            default:
                reason = nil
            }
            if let reason {
                state.instances.remove(at: index)
                finish(instance, reason: reason)
            } else {
                state.instances[index] = instance
            }
            return
        }
        if let due = state.triggerTimers.removeValue(forKey: id) {
            fireTrigger(id, due: due)
        }
        // Any other id is a timer cancelled after it was taken for firing: nothing to do.
    }

    func context(event: Event?, instance: InstanceState?, scenario: Scenario) -> EvaluationContext {
        EvaluationContext(event: event, profile: state.profile, instance: instance, params: scenario.params, now: now)
    }
}

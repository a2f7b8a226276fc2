/// Date and absence triggers: their timers, planned per customer, and what happens when one fires.
extension TransitionRun {
    /// A date or absence trigger timer came due.
    mutating func fireTrigger(_ id: String, due: Timestamp) {
        let parts = id.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let scenario = catalog.liveScenario(id: String(parts[1])) else { return }
        let entryId = "\(id)@\(due.milliseconds)"
        switch scenario.trigger {
        case .date(let trigger) where parts[0] == "d":
            if trigger.condition?.holds(context(event: nil, instance: nil, scenario: scenario)) ?? true {
                enter(scenario, event: nil, entryId: entryId)
            }
            if trigger.yearly { scheduleDateTrigger(scenario, trigger: trigger) }
        case .absence(_, _, let condition) where parts[0] == "a":
            if condition?.holds(context(event: nil, instance: nil, scenario: scenario)) ?? true {
                enter(scenario, event: nil, entryId: entryId)
            }
            rearmAbsence(scenario)
        default:
            break
        }
    }

    /// Each relevant event pushes the "nothing happened for X" deadline further out.
    mutating func armAbsence(_ scenario: Scenario, after event: Event) {
        guard case .absence(_, let span, _) = scenario.trigger else { return }
        setTriggerTimer(Identifiers.absenceTrigger(scenario: scenario.id), at: event.timestamp + span)
    }

    /// After an absence fired, a scenario entered `once_per` a period looks again when that
    /// period is over (from its last entry, or from now when it did not enter): a customer who
    /// stays away is asked again, not forgotten until the next matching event.
    private mutating func rearmAbsence(_ scenario: Scenario) {
        guard case .oncePer(let period) = scenario.entry.frequency else { return }
        let id = Identifiers.absenceTrigger(scenario: scenario.id)
        if let last = latestEntry(of: scenario), last + period > now {
            setTriggerTimer(id, at: last + period)
        } else {
            setTriggerTimer(id, at: now + period)
        }
    }

    /// When the customer last entered `scenario` (any key), if the state still remembers it.
    private func latestEntry(of scenario: Scenario) -> Timestamp? {
        let prefix = scenario.id + "|"
        return state.entries.filter { $0.key == scenario.id || $0.key.hasPrefix(prefix) }.map(\.value.lastEntered)
            .max()
    }

    /// Merges identify traits into the profile (null removes) and re-plans date triggers on
    /// the attributes that changed.
    mutating func applyTraits(_ traits: [String: Value]) {
        var changed = Set<String>()
        for (name, value) in traits where state.profile[name] != value {
            if value.isNull {
                if state.profile.removeValue(forKey: name) != nil { changed.insert(name) }
            } else {
                state.profile[name] = value
                changed.insert(name)
            }
        }
        replanDateTriggers(changed: changed)
    }

    /// `Input.replan`: brings the customer's trigger timers in line with the catalog. Timers of
    /// scenarios no longer live are cancelled; date triggers are planned from the profile;
    /// absence triggers the customer has no timer for are armed from now. Idempotent: applied
    /// twice at any times, the second changes nothing (a timer already due is kept for firing,
    /// not moved on to its next occurrence).
    mutating func replanAllTriggers() {
        for id in state.triggerTimers.keys.sorted() {
            let parts = id.split(separator: "/", maxSplits: 1)
            let live = parts.count == 2 ? catalog.liveScenario(id: String(parts[1])) : nil
            let stillTriggers: Bool
            switch live?.trigger {
            case .date: stillTriggers = parts[0] == "d"
            case .absence: stillTriggers = parts[0] == "a"
            default: stillTriggers = false
            }
            if !stillTriggers {
                state.triggerTimers.removeValue(forKey: id)
                effects.append(.cancelTimer(id: id))
            }
        }
        replanDateTriggers(changed: Set(catalog.dateAttributes), keepingDue: true)
        for scenario in catalog.absenceScenarios { armAbsenceOnReplan(scenario) }
    }

    /// A customer known before an absence scenario was deployed counts as absent from now on,
    /// unless the scenario's entry rule holds them off for longer (or for good).
    private mutating func armAbsenceOnReplan(_ scenario: Scenario) {
        guard case .absence(_, let span, _) = scenario.trigger else { return }
        let id = Identifiers.absenceTrigger(scenario: scenario.id)
        guard state.triggerTimers[id] == nil else { return }
        var due = now + span
        if let last = latestEntry(of: scenario) {
            switch scenario.entry.frequency {
            case .once: return
            case .oncePer(let period): due = max(due, last + period)
            case .always: break
            }
        }
        setTriggerTimer(id, at: due)
    }

    /// `keepingDue`: leave a timer that is due already (the runtime fires it soon) where it is.
    mutating func replanDateTriggers(changed: Set<String>, keepingDue: Bool = false) {
        guard !changed.isEmpty else { return }
        let attributes = changed.contains("timezone") ? Set(catalog.dateAttributes) : changed
        for attribute in attributes.sorted() {
            for scenario in catalog.scenariosWithDateTrigger(on: attribute) {
                guard case .date(let trigger) = scenario.trigger else { continue }
                if keepingDue, let due = state.triggerTimers[Identifiers.dateTrigger(scenario: scenario.id)],
                    due <= now
                {
                    continue
                }
                scheduleDateTrigger(scenario, trigger: trigger)
            }
        }
    }

    private mutating func scheduleDateTrigger(_ scenario: Scenario, trigger: DateTrigger) {
        let id = Identifiers.dateTrigger(scenario: scenario.id)
        let zone = timeZone
        let value = state.profile[trigger.attribute] ?? .null
        if let due = LocalTime.moment(of: trigger, value: value, after: now, in: zone) {
            setTriggerTimer(id, at: due)
        } else if state.triggerTimers.removeValue(forKey: id) != nil {
            effects.append(.cancelTimer(id: id))
        }
    }

    private mutating func setTriggerTimer(_ id: String, at due: Timestamp) {
        guard state.triggerTimers[id] != due else { return }
        state.triggerTimers[id] = due
        // Same id: the runtime replaces any earlier schedule of it.
        effects.append(.scheduleTimer(PendingTimer(id: id, at: due)))
    }
}

/// Entering scenarios: entry rules, instance creation, and the triggers that lead there.
extension TransitionRun {
    mutating func enter(_ scenario: Scenario, event: Event?, entryId: String) {
        let entryContext = context(event: event, instance: nil, scenario: scenario)
        var key: String?
        if let keyExpression = scenario.entry.key {
            let value = keyExpression.evaluate(entryContext)
            // Without a key value there is nothing to be "one instance per".
            if value.isNull { return }
            key = value.plainText
        }
        if state.instances.contains(where: { $0.scenario == scenario.id && $0.key == key }) { return }
        let recordKey = key.map { "\(scenario.id)|\($0)" } ?? scenario.id
        switch scenario.entry.frequency {
        case .always:
            break
        case .once:
            if state.entries[recordKey] != nil { return }
        case .oncePer(let period):
            if let record = state.entries[recordKey], now - record.lastEntered < period { return }
        }
        if case .oncePer(let period) = scenario.entry.frequency {
            // Records older than the period no longer block anything: keep the state small.
            let prefix = scenario.id + "|"
            for (key, record) in state.entries
            where (key == scenario.id || key.hasPrefix(prefix)) && now - record.lastEntered >= period {
                state.entries.removeValue(forKey: key)
            }
        }
        if scenario.entry.frequency != .always {
            let count = (state.entries[recordKey]?.count ?? 0) + 1
            state.entries[recordKey] = EntryRecord(lastEntered: now, count: count)
        }
        var instance = InstanceState(
            id: Identifiers.instance(scenario: scenario.id, customer: state.customerId, key: key, entry: entryId),
            scenario: scenario.id, version: scenario.version, step: scenario.start, key: key, startedAt: now)
        for (name, expression) in scenario.vars {
            instance.vars[name] = expression.evaluate(entryContext)
        }
        instance.holdout = holdoutArm(for: scenario)
        effects.append(.entered(origin(instance)))
        if let arm = instance.holdout { effects.append(.heldOut(origin(instance), arm: arm)) }
        if let reason = runSteps(&instance, scenario: scenario, from: scenario.start, event: event) {
            finish(instance, reason: reason)
        } else {
            state.instances.append(instance)
        }
    }

    /// The holdout a new instance of `scenario` falls in: the programme's first (one customer is
    /// held out of every scenario), then the scenario's own.
    private func holdoutArm(for scenario: Scenario) -> HoldoutArm? {
        if let programme = programmeHoldout, programme.contains(customer: state.customerId, scope: "") {
            return .programme
        }
        if let own = scenario.holdout, own.contains(customer: state.customerId, scope: scenario.id) {
            return .scenario
        }
        return nil
    }

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
        default:
            break
        }
    }

    /// Each relevant event pushes the "nothing happened for X" deadline further out.
    mutating func armAbsence(_ scenario: Scenario, after event: Event) {
        guard case .absence(_, let span, _) = scenario.trigger else { return }
        setTriggerTimer(Identifiers.absenceTrigger(scenario: scenario.id), at: event.timestamp + span)
    }

    /// Merges identify traits into the profile (null removes) and re-plans date triggers on
    /// the attributes that changed: no scan of the customer base is ever needed.
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
        replanDateTriggers(changed: Set(catalog.dateAttributes))
    }

    mutating func replanDateTriggers(changed: Set<String>) {
        guard !changed.isEmpty else { return }
        let attributes = changed.contains("timezone") ? Set(catalog.dateAttributes) : changed
        for attribute in attributes.sorted() {
            for scenario in catalog.scenariosWithDateTrigger(on: attribute) {
                guard case .date(let trigger) = scenario.trigger else { continue }
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

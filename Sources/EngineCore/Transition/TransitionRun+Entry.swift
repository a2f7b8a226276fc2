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
}

/// Running an instance through its steps until it waits or ends.
extension TransitionRun {
    /// Runs from `stepId` until a waiting step. Returns the reason when the instance ended
    /// (the caller removes it and calls `finish`), nil when it now waits.
    mutating func runSteps(
        _ instance: inout InstanceState, scenario: Scenario, from stepId: String?, event: Event?
    )
        -> Completion.Reason?
    {
        var next = stepId
        var budget = ScenarioEngine.stepBudget
        while let id = next {
            budget -= 1
            guard budget > 0 else { return .stepLimit }
            guard let step = scenario.steps[id] else { return .scenarioMissing }
            instance.step = id
            instance.visits += 1
            switch step.kind {
            case .wait(let wait, let after):
                guard let due = dueTime(of: wait, instance: instance, scenario: scenario, event: event), due > now
                else {
                    next = after
                    continue
                }
                startTimer(&instance, at: due)
                return nil
            case .waitForEvent(let wait):
                let timeout = wait.timeout.evaluate(context(event: event, instance: instance, scenario: scenario))
                startTimer(&instance, at: now + (timeout.asSpan ?? TimeSpan(milliseconds: 0)))
                return nil
            case .digest(let digest, _):
                instance.vars[digest.variable] = .list([])
                if let event, event.indexKey == digest.event {
                    collect(event, into: &instance, digest: digest, scenario: scenario)
                }
                startTimer(&instance, at: now + digest.window)
                return nil
            case .branch(let cases, let otherwise):
                let branchContext = context(event: event, instance: instance, scenario: scenario)
                next = cases.first { $0.condition.holds(branchContext) }?.next ?? otherwise
            case .split(let paths):
                let bucket = Identifiers.splitBucket(scenario: scenario.id, step: id, customer: state.customerId)
                var upper = 0
                next = nil
                for path in paths {
                    upper += path.percent
                    if bucket < upper {
                        next = path.next
                        break
                    }
                }
            case .send(let spec, let after):
                send(spec, instance: &instance, scenario: scenario, event: event)
                next = after
            case .show(let spec, let after):
                show(spec, instance: &instance, scenario: scenario, event: event)
                next = after
            case .set(let profile, let variables, let after):
                set(profile: profile, variables: variables, instance: &instance, scenario: scenario, event: event)
                next = after
            case .emit(let name, let properties, let after):
                let emitContext = context(event: event, instance: instance, scenario: scenario)
                effects.append(
                    .emitEvent(
                        EmittedEvent(
                            origin: origin(instance), messageId: "e/" + Identifiers.message(instance), name: name,
                            properties: evaluate(properties, emitContext))))
                next = after
            case .end:
                return .end
            }
        }
        return .end
    }

    private func dueTime(of wait: Wait, instance: InstanceState, scenario: Scenario, event: Event?) -> Timestamp? {
        switch wait {
        case .duration(let expression):
            return expression.evaluate(context(event: event, instance: instance, scenario: scenario)).asSpan.map {
                now + $0
            }
        case .untilTimeOfDay(let time):
            return LocalTime.next(time, after: now, in: timeZone)
        case .until(let expression):
            return expression.evaluate(context(event: event, instance: instance, scenario: scenario)).asTimestamp
        }
    }

    private mutating func startTimer(_ instance: inout InstanceState, at due: Timestamp) {
        let timer = PendingTimer(id: Identifiers.stepTimer(instance), at: due)
        instance.timer = timer
        effects.append(.scheduleTimer(timer))
    }

    mutating func cancelTimer(of instance: inout InstanceState) {
        if let timer = instance.timer {
            effects.append(.cancelTimer(id: timer.id))
            instance.timer = nil
        }
    }

    private mutating func send(_ spec: SendSpec, instance: inout InstanceState, scenario: Scenario, event: Event?) {
        let messageId = Identifiers.message(instance)
        let sendContext = context(event: event, instance: instance, scenario: scenario)
        let message = SendMessage(
            messageId: messageId, origin: origin(instance), channel: spec.channel, template: spec.template,
            variables: evaluate(spec.variables, sendContext), priority: spec.priority,
            transactional: spec.transactional, topic: spec.topic)
        // Withheld before the policy: a holdout member's caps are not spent on messages never sent.
        let withheld: Bool
        switch instance.holdout {
        case .scenario?: withheld = true
        case .programme?: withheld = !spec.transactional
        case nil: withheld = false
        }
        effects.append(withheld ? .suppressed(message, reason: "holdout") : .send(message))
        // Lets a following wait_for match feedback about this very message.
        instance.vars["last_message_id"] = .string(messageId)
    }

    private mutating func show(_ spec: ShowSpec, instance: inout InstanceState, scenario: Scenario, event: Event?) {
        // Holdout members see no content either; what they do is the baseline.
        guard instance.holdout == nil else { return }
        let showContext = context(event: event, instance: instance, scenario: scenario)
        effects.append(
            .showContent(
                ShowContent(
                    origin: origin(instance), slot: spec.slot, payload: evaluate(spec.payload, showContext),
                    expiresAt: spec.ttl.map { now + $0 })))
        if spec.untilExit, !instance.slots.contains(spec.slot) { instance.slots.append(spec.slot) }
    }

    private mutating func set(
        profile: [(String, CompiledExpression)], variables: [(String, CompiledExpression)],
        instance: inout InstanceState,
        scenario: Scenario, event: Event?
    ) {
        // All values are computed on the state before the step, then applied together.
        let setContext = context(event: event, instance: instance, scenario: scenario)
        let attributes = evaluate(profile, setContext)
        for (name, value) in evaluate(variables, setContext) { instance.vars[name] = value }
        guard !attributes.isEmpty else { return }
        var changed = Set<String>()
        for (name, value) in attributes where state.profile[name] != value {
            state.profile[name] = value.isNull ? nil : value
            changed.insert(name)
        }
        effects.append(.updateProfile(ProfileUpdate(origin: origin(instance), attributes: attributes)))
        replanDateTriggers(changed: changed)
    }

    mutating func collect(_ event: Event, into instance: inout InstanceState, digest: DigestSpec, scenario: Scenario) {
        let collectContext = context(event: event, instance: instance, scenario: scenario)
        if let condition = digest.condition, !condition.holds(collectContext) { return }
        guard case .list(var items) = instance.vars[digest.variable] ?? .list([]), items.count < digest.maxItems else {
            return
        }
        items.append(.object(evaluate(digest.item, collectContext)))
        instance.vars[digest.variable] = .list(items)
    }

    /// Ends an instance that the caller has already taken out of the state.
    mutating func finish(_ instance: InstanceState, reason: Completion.Reason) {
        if let timer = instance.timer { effects.append(.cancelTimer(id: timer.id)) }
        for slot in instance.slots {
            effects.append(.hideContent(HideContent(origin: origin(instance), slot: slot)))
        }
        effects.append(.completed(Completion(origin: origin(instance), reason: reason, holdout: instance.holdout)))
    }

    func origin(_ instance: InstanceState) -> InstanceRef {
        InstanceRef(
            customerId: state.customerId, scenario: instance.scenario, version: instance.version, instance: instance.id,
            step: instance.step)
    }

    private func evaluate(_ fields: [(String, CompiledExpression)], _ context: EvaluationContext) -> [String: Value] {
        var values: [String: Value] = [:]
        values.reserveCapacity(fields.count)
        for (name, expression) in fields { values[name] = expression.evaluate(context) }
        return values
    }
}

extension TransitionRun {
    /// Passes every message this transition wants to send through the contact policy. Sends of
    /// one transition compete by priority (highest first), so a cap keeps the most important
    /// one. Each `.send` becomes `.send` (recorded for caps and dedup), `.suppressed`, or
    /// `.deferred` (held in the contact state with a timer, decided again when it fires).
    mutating func applyPolicy(_ policy: PolicyEvaluator) {
        let sends = effects.enumerated().compactMap { index, effect -> (Int, SendMessage)? in
            if case .send(let message) = effect { return (index, message) }
            return nil
        }
        guard !sends.isEmpty else { return }
        let ordered = sends.sorted { lhs, rhs in
            let (left, right) = (policy.priority(of: lhs.1), policy.priority(of: rhs.1))
            return left != right ? left > right : lhs.0 < rhs.0
        }
        for (index, message) in ordered {
            effects[index] = decide(message, policy: policy)
        }
    }

    /// A held message's time has come: decide again (it may go, wait longer, or be dropped).
    mutating func releaseHeld(timerId: String, policy: PolicyEvaluator) {
        guard let index = state.contact.held.firstIndex(where: { $0.timerId == timerId }) else { return }
        let held = state.contact.held.remove(at: index)
        effects.append(.send(held.message))
    }

    private mutating func decide(_ message: SendMessage, policy: PolicyEvaluator) -> Effect {
        switch policy.decide(message, contact: state.contact, profile: state.profile, now: now) {
        case .send:
            // Shadow rules look at the history before this send, as an enforced rule would.
            let shadowRules = policy.wouldSuppress(message, contact: state.contact, profile: state.profile, now: now)
            policy.record(message, in: &state.contact, now: now)
            for rule in shadowRules { effects.append(.wouldSuppress(message, rule: rule)) }
            return .send(message)
        case .suppress(let reason):
            return .suppressed(message, reason: reason)
        case .deferUntil(let until, let reason):
            let held = ContactState.Held(message: message, until: until, reason: reason)
            state.contact.held.removeAll { $0.message.messageId == message.messageId }
            state.contact.held.append(held)
            effects.append(.scheduleTimer(PendingTimer(id: held.timerId, at: until)))
            return .deferred(message, until: until, reason: reason)
        }
    }

    /// The track events `noteContactFeedback` reads; any other event leaves the contact state alone.
    static let contactFeedbackNames: Set<String> = [
        DeliveryFeedback.Status.unsubscribed.eventName, DeliveryFeedback.Status.bounced.eventName,
        DeliveryFeedback.Status.complained.eventName,
    ]

    /// Feedback that changes what may be sent: an unsubscribe (per channel, per topic, or from
    /// everything) and hard bounces and complaints (per channel).
    mutating func noteContactFeedback(_ event: Event) {
        guard event.kind == .track, Self.contactFeedbackNames.contains(event.name) else { return }
        let channel = event.properties["channel"]?.stringValue
        switch event.name {
        case DeliveryFeedback.Status.unsubscribed.eventName:
            if let topic = event.properties["topic"]?.stringValue {
                state.contact.suppressions["topic:\(topic)"] = "unsubscribed"
            } else if let channel {
                state.contact.suppressions["channel:\(channel)"] = "unsubscribed"
            } else {
                state.contact.suppressions["all"] = "unsubscribed"
            }
        case DeliveryFeedback.Status.bounced.eventName:
            guard let channel else { return }
            switch event.properties["bounce_type"]?.stringValue ?? event.properties["type"]?.stringValue {
            case "hard"?: state.contact.suppressions["channel:\(channel)"] = "hard_bounce"
            case "complaint"?: state.contact.suppressions["channel:\(channel)"] = "complaint"
            default: break
            }
        case DeliveryFeedback.Status.complained.eventName:
            if let channel { state.contact.suppressions["channel:\(channel)"] = "complaint" }
        default:
            break
        }
    }
}

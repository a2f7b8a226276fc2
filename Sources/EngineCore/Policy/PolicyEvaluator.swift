import Foundation

/// The contact policy as a pure function: given a message, what the customer's contact state
/// and profile say, the policy and the time, decide. Deterministic like the rest of the core, so
/// simulations show the same decisions production makes.
public struct PolicyEvaluator: Sendable {
    public let policy: ContactPolicy
    private let longestCap: TimeSpan
    /// The time zone of customers without `profile.timezone`, for every wall-clock rule of the
    /// transition (quiet hours here, waits and date triggers in the run).
    let defaultTimeZone: TimeZone

    public init(policy: ContactPolicy) {
        self.policy = policy
        // Shadow caps count the same history, so it is kept as long as any cap looks at it.
        self.longestCap = (policy.caps + policy.shadowCaps).map(\.period).max() ?? .days(0)
        self.defaultTimeZone = LocalTime.zone(named: policy.defaultTimeZone)
    }

    /// The priority a message competes with: the policy's per-scenario priority, else the send's.
    public func priority(of message: SendMessage) -> Int {
        policy.priorities[message.origin.scenario] ?? message.priority
    }

    public func decide(
        _ message: SendMessage, contact: ContactState, profile: [String: Value], now: Timestamp
    ) -> PolicyDecision {
        let channel = message.channel
        // Undeliverable addresses stop everything on that channel, transactional or not.
        for reason in ["hard_bounce", "complaint"] where contact.suppressions["channel:\(channel)"] == reason {
            return .suppress(reason: reason)
        }
        let exempt = message.transactional && policy.transactionalExempt
        if !exempt, let reason = optOut(message, contact: contact, profile: profile) {
            return .suppress(reason: reason)
        }
        if let window = policy.dedupWindow, let last = contact.templates[Self.templateKey(message)],
            now - last < window
        {
            return .suppress(reason: "duplicate")
        }
        if exempt { return .send }
        if let quiet = policy.quietHours, let until = quietUntil(quiet, channel: channel, profile: profile, now: now) {
            return .deferUntil(until, reason: "quiet_hours")
        }
        for cap in policy.caps {
            guard let inWindow = fullWindow(cap, channel: channel, contact: contact, now: now) else { continue }
            let reason = "cap:\(cap.channel ?? "all"):\(Self.periodName(cap.period))"
            switch policy.capAction {
            case .suppress:
                return .suppress(reason: reason)
            case .defer:
                // Room again when the oldest send in the window leaves it.
                let oldest = inWindow.map(\.at).min() ?? now
                return .deferUntil(max(oldest + cap.period, now + TimeSpan(milliseconds: 1)), reason: reason)
            }
        }
        return .send
    }

    /// The shadow rules that would have stopped or held a message the enforced rules let go, by
    /// rule (`cap:email:1/day`, `quiet_hours:21:00-09:00`). Call it for sent messages only, before
    /// `record`. Transactional messages are exempt as from the enforced rules; opt-outs, bounces
    /// and dedup always hold and have no shadow.
    public func wouldSuppress(
        _ message: SendMessage, contact: ContactState, profile: [String: Value], now: Timestamp
    ) -> [String] {
        guard !(message.transactional && policy.transactionalExempt),
            !policy.shadowCaps.isEmpty || !policy.shadowQuietHours.isEmpty
        else { return [] }
        var rules: [String] = []
        for quiet in policy.shadowQuietHours
        where quietUntil(quiet, channel: message.channel, profile: profile, now: now) != nil {
            rules.append("quiet_hours:\(quiet.from)-\(quiet.to)")
        }
        for cap in policy.shadowCaps where fullWindow(cap, channel: message.channel, contact: contact, now: now) != nil
        {
            rules.append("cap:\(cap.channel ?? "all"):\(cap.max)/\(Self.periodName(cap.period))")
        }
        return rules
    }

    /// The sends in a cap's window when the cap applies to `channel` and is full, else nil.
    private func fullWindow(
        _ cap: ContactPolicy.Cap, channel: String, contact: ContactState, now: Timestamp
    ) -> [ContactState.Sent]? {
        guard cap.channel == nil || cap.channel == channel else { return nil }
        let windowStart = now - cap.period
        let inWindow = contact.sent.filter { $0.at > windowStart && (cap.channel == nil || $0.channel == channel) }
        return inWindow.count >= cap.max ? inWindow : nil
    }

    /// Records a send in the contact state (for caps and dedup) and forgets what no rule looks at.
    public func record(_ message: SendMessage, in contact: inout ContactState, now: Timestamp) {
        contact.sent.append(ContactState.Sent(channel: message.channel, at: now))
        contact.sent.removeAll { now - $0.at >= longestCap }
        if let window = policy.dedupWindow {
            contact.templates[Self.templateKey(message)] = now
            contact.templates = contact.templates.filter { now - $0.value < window }
        }
    }

    private func optOut(_ message: SendMessage, contact: ContactState, profile: [String: Value]) -> String? {
        if profile["do_not_contact"]?.isTrue == true || contact.suppressions["all"] != nil { return "do_not_contact" }
        if contact.suppressions["channel:\(message.channel)"] != nil
            || Self.listed(message.channel, in: profile["unsubscribed_channels"])
        {
            return "unsubscribed"
        }
        if let topic = message.topic,
            contact.suppressions["topic:\(topic)"] != nil || Self.listed(topic, in: profile["unsubscribed_topics"])
        {
            return "unsubscribed:\(topic)"
        }
        return nil
    }

    /// When the channel is in quiet hours in the customer's zone: the end of them.
    private func quietUntil(
        _ quiet: ContactPolicy.QuietHours, channel: String, profile: [String: Value], now: Timestamp
    ) -> Timestamp? {
        guard quiet.channels.isEmpty || quiet.channels.contains(channel) else { return nil }
        let zone = LocalTime.timeZone(of: profile, default: defaultTimeZone)
        let local = LocalTime.calendar(zone).dateComponents([.hour, .minute], from: LocalTime.date(now))
        let minute = (local.hour ?? 0) * 60 + (local.minute ?? 0)
        let from = quiet.from.hour * 60 + quiet.from.minute
        let to = quiet.to.hour * 60 + quiet.to.minute
        let inside = from <= to ? (minute >= from && minute < to) : (minute >= from || minute < to)
        return inside ? LocalTime.next(quiet.to, after: now, in: zone) : nil
    }

    static func templateKey(_ message: SendMessage) -> String { "\(message.channel)/\(message.template)" }

    private static func periodName(_ period: TimeSpan) -> String {
        if period == .days(1) { return "day" }
        if period == .days(7) { return "week" }
        return "\(period.milliseconds / 1000)s"
    }

    private static func listed(_ name: String, in value: Value?) -> Bool {
        switch value {
        case .list(let items)?: items.contains(.string(name))
        case .string(let text)?: text.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == name }
        default: false
        }
    }
}

/// One visible thing that happened in a simulation: an effect, on the virtual clock.
/// New columns (the contact-policy decision, for one) can be added as optional fields.
public struct TimelineEntry: Sendable, Equatable, Encodable {
    public enum Kind: String, Sendable, Encodable {
        case enter, send, suppress, `defer`, show, hide, profile, emit, end
        /// A shadow rule of the policy would have stopped the message sent just before (`reason`: the rule).
        case wouldSuppress = "would_suppress"
        /// The instance just entered is in a holdout (`reason`: `scenario` or `programme`).
        case holdout
    }

    public var at: Timestamp
    public var customerId: String
    public var scenario: String
    public var version: Int
    public var instance: String
    public var step: String
    public var kind: Kind
    public var channel: String?
    public var template: String?
    public var messageId: String?
    public var slot: String?
    public var event: String?
    public var reason: String?
    /// The contact policy's decision for messages: `sent`, `suppressed:<why>`, `deferred:<why>`.
    public var decision: String?
    /// Until when a deferred message is held.
    public var until: Timestamp?
    public var conversion: Bool?
    public var data: [String: Value]?

    enum CodingKeys: String, CodingKey {
        case at
        case customerId = "customer_id"
        case scenario, version, instance, step, kind, channel, template
        case messageId = "message_id"
        case slot, event, reason, decision, until, conversion, data
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ISO8601.format(at), forKey: .at)
        try container.encode(customerId, forKey: .customerId)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(version, forKey: .version)
        try container.encode(instance, forKey: .instance)
        try container.encode(step, forKey: .step)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(channel, forKey: .channel)
        try container.encodeIfPresent(template, forKey: .template)
        try container.encodeIfPresent(messageId, forKey: .messageId)
        try container.encodeIfPresent(slot, forKey: .slot)
        try container.encodeIfPresent(event, forKey: .event)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(decision, forKey: .decision)
        try container.encodeIfPresent(until.map(ISO8601.format), forKey: .until)
        try container.encodeIfPresent(conversion, forKey: .conversion)
        try container.encodeIfPresent(data, forKey: .data)
    }

    /// The timeline entry for an effect, or nil for bookkeeping effects (timers).
    init?(effect: Effect, at: Timestamp) {
        let origin: InstanceRef
        var kind: Kind
        var fields: (channel: String?, template: String?, message: String?, slot: String?, event: String?) =
            (nil, nil, nil, nil, nil)
        var reason: String?
        var decision: String?
        var until: Timestamp?
        var conversion: Bool?
        var data: [String: Value]?
        switch effect {
        case .scheduleTimer, .cancelTimer:
            return nil
        case .entered(let ref):
            origin = ref
            kind = .enter
        case .heldOut(let ref, let arm):
            origin = ref
            kind = .holdout
            reason = arm.rawValue
        case .wouldSuppress(let message, let rule):
            origin = message.origin
            kind = .wouldSuppress
            fields = (message.channel, message.template, message.messageId, nil, nil)
            reason = rule
        case .send(let message):
            origin = message.origin
            kind = .send
            fields = (message.channel, message.template, message.messageId, nil, nil)
            data = message.variables
            decision = PolicyDecision.send.label
        case .suppressed(let message, let why):
            origin = message.origin
            kind = .suppress
            fields = (message.channel, message.template, message.messageId, nil, nil)
            decision = PolicyDecision.suppress(reason: why).label
        case .deferred(let message, let heldUntil, let why):
            origin = message.origin
            kind = .defer
            fields = (message.channel, message.template, message.messageId, nil, nil)
            decision = PolicyDecision.deferUntil(heldUntil, reason: why).label
            until = heldUntil
        case .showContent(let content):
            origin = content.origin
            kind = .show
            fields.slot = content.slot
            data = content.payload
            if let expiresAt = content.expiresAt { data?["expires_at"] = .string(ISO8601.format(expiresAt)) }
        case .hideContent(let content):
            origin = content.origin
            kind = .hide
            fields.slot = content.slot
        case .updateProfile(let update):
            origin = update.origin
            kind = .profile
            data = update.attributes
        case .emitEvent(let event):
            origin = event.origin
            kind = .emit
            fields.event = event.name
            fields.message = event.messageId
            data = event.properties
        case .completed(let completion):
            origin = completion.origin
            kind = .end
            reason = completion.reason.label
            conversion = completion.reason.isConversion
        }
        self.at = at
        customerId = origin.customerId
        scenario = origin.scenario
        version = origin.version
        instance = origin.instance
        step = origin.step
        self.kind = kind
        channel = fields.channel
        template = fields.template
        messageId = fields.message
        slot = fields.slot
        event = fields.event
        self.reason = reason
        self.decision = decision
        self.until = until
        self.conversion = conversion
        self.data = data?.mapValues(\.plainJSON)
    }
}

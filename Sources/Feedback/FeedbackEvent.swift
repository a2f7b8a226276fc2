import EngineCore

/// What a provider (or a tracked open/click) said about one message, normalized: the same shape
/// whichever connector it came from. It travels to the engine as an ordinary track event on the
/// feedback topic, keyed by customer, so scenarios can wait for it and the contact policy sees
/// bounces and unsubscribes.
public struct FeedbackEvent: Sendable, Equatable {
    public var status: DeliveryFeedback.Status
    public var messageId: String
    public var customerId: String
    public var channel: String?
    public var connector: String
    public var at: Timestamp
    /// Why it failed or bounced, as the provider put it.
    public var reason: String?
    /// `hard`, `soft` or `complaint` for bounces; the policy suppresses the channel on `hard`.
    public var bounceType: String?
    /// The clicked link (clicks only).
    public var url: String?
    /// The subscription group an unsubscribe is about; none means the whole channel.
    public var topic: String?
    /// Distinguishes repeated feedback of one status (two clicks on two links, a provider's own
    /// event id): part of the event's deterministic id.
    public var discriminator: String?

    public init(
        status: DeliveryFeedback.Status, messageId: String, customerId: String, channel: String?, connector: String,
        at: Timestamp, reason: String? = nil, bounceType: String? = nil, url: String? = nil, topic: String? = nil,
        discriminator: String? = nil
    ) {
        self.status = status
        self.messageId = messageId
        self.customerId = customerId
        self.channel = channel
        self.connector = connector
        self.at = at
        self.reason = reason
        self.bounceType = bounceType
        self.url = url
        self.topic = topic
        self.discriminator = discriminator
    }

    /// The normalized name (`message_delivered`, `message_opened`, ..., `unsubscribed`).
    public var normalizedType: String {
        status == .unsubscribed ? "unsubscribed" : "message_\(status.rawValue)"
    }

    /// Deterministic: a provider retrying its callback, or a customer opening twice, yields the
    /// same id, so downstream stages can recognise the repeat.
    public var eventId: String {
        let base = "fb:\(status.rawValue):\(messageId)"
        guard let discriminator, !discriminator.isEmpty else { return base }
        return "\(base):\(StableHash.hex(StableHash.fnv1a64(discriminator)))"
    }

    /// The Segment track event scenarios see (`Message Delivered`, ..., `Unsubscribed`).
    public var segmentEvent: Value {
        var properties: [String: Value] = [
            "message_id": .string(messageId), "feedback": .string(normalizedType), "connector": .string(connector),
        ]
        if let channel { properties["channel"] = .string(channel) }
        if let reason { properties["reason"] = .string(reason) }
        if let bounceType { properties["bounce_type"] = .string(bounceType) }
        if let url { properties["url"] = .string(url) }
        if let topic { properties["topic"] = .string(topic) }
        return .object([
            "type": "track", "event": .string(status.eventName), "messageId": .string(eventId),
            "userId": .string(customerId), "timestamp": .string(ISO8601.format(at)), "properties": .object(properties),
        ])
    }
}

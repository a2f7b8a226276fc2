/// A customer event, after the Segment spec: track, identify, page or screen.
/// Immutable, with its fields in one shared object: the transition function hands the event to
/// many expression evaluations, and a copy then costs one reference count, not eight.
public struct Event: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case track, identify, page, screen
    }

    private final class Storage: Sendable {
        let kind: Kind
        let name: String
        let messageId: String
        let userId: String?
        let anonymousId: String?
        let properties: [String: Value]
        let traits: [String: Value]
        let timestamp: Timestamp

        init(
            kind: Kind, name: String, messageId: String, userId: String?, anonymousId: String?,
            properties: [String: Value], traits: [String: Value], timestamp: Timestamp
        ) {
            self.kind = kind
            self.name = name
            self.messageId = messageId
            self.userId = userId
            self.anonymousId = anonymousId
            self.properties = properties
            self.traits = traits
            self.timestamp = timestamp
        }
    }

    private let storage: Storage

    public init(
        kind: Kind = .track, name: String, messageId: String, userId: String? = nil, anonymousId: String? = nil,
        properties: [String: Value] = [:], traits: [String: Value] = [:], timestamp: Timestamp
    ) {
        storage = Storage(
            kind: kind, name: name, messageId: messageId, userId: userId, anonymousId: anonymousId,
            properties: properties, traits: traits, timestamp: timestamp)
    }

    public var kind: Kind { storage.kind }
    /// The track event name (`Order Completed`), the page or screen name, empty for identify.
    public var name: String { storage.name }
    public var messageId: String { storage.messageId }
    public var userId: String? { storage.userId }
    public var anonymousId: String? { storage.anonymousId }
    public var properties: [String: Value] { storage.properties }
    public var traits: [String: Value] { storage.traits }
    public var timestamp: Timestamp { storage.timestamp }

    /// The key scenarios are indexed by: the event name for track events, `$identify`, `$page`,
    /// `$screen` for the others (so a track event called "page" cannot be confused with them).
    public var indexKey: String { Self.indexKey(kind: kind, name: name) }

    public static func indexKey(kind: Kind, name: String) -> String {
        kind == .track ? name : "$" + kind.rawValue
    }

    public var customerId: String? { userId ?? anonymousId }

    public static func == (lhs: Event, rhs: Event) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.kind == rhs.kind && lhs.name == rhs.name && lhs.messageId == rhs.messageId
                && lhs.userId == rhs.userId && lhs.anonymousId == rhs.anonymousId && lhs.timestamp == rhs.timestamp
                && lhs.properties == rhs.properties && lhs.traits == rhs.traits)
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, messageId, userId, anonymousId, properties, traits, timestamp
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try container.decode(Kind.self, forKey: .kind),
            name: try container.decode(String.self, forKey: .name),
            messageId: try container.decode(String.self, forKey: .messageId),
            userId: try container.decodeIfPresent(String.self, forKey: .userId),
            anonymousId: try container.decodeIfPresent(String.self, forKey: .anonymousId),
            properties: try container.decodeIfPresent([String: Value].self, forKey: .properties) ?? [:],
            traits: try container.decodeIfPresent([String: Value].self, forKey: .traits) ?? [:],
            timestamp: try container.decode(Timestamp.self, forKey: .timestamp))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(name, forKey: .name)
        try container.encode(messageId, forKey: .messageId)
        try container.encodeIfPresent(userId, forKey: .userId)
        try container.encodeIfPresent(anonymousId, forKey: .anonymousId)
        if !properties.isEmpty { try container.encode(properties, forKey: .properties) }
        if !traits.isEmpty { try container.encode(traits, forKey: .traits) }
        try container.encode(timestamp, forKey: .timestamp)
    }
}

/// Delivery feedback from a channel provider about a message the engine sent.
public struct DeliveryFeedback: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case delivered, failed, opened, clicked, bounced, complained, unsubscribed

        /// The feedback event name scenarios wait on (`Message Delivered`, ...).
        public var eventName: String {
            switch self {
            case .delivered: "Message Delivered"
            case .failed: "Message Failed"
            case .opened: "Message Opened"
            case .clicked: "Message Clicked"
            case .bounced: "Message Bounced"
            case .complained: "Message Complained"
            case .unsubscribed: "Unsubscribed"
            }
        }
    }

    public var messageId: String
    public var status: Status
    public var channel: String
    public var scenario: String
    public var step: String
    public var at: Timestamp

    public init(messageId: String, status: Status, channel: String, scenario: String, step: String, at: Timestamp) {
        self.messageId = messageId
        self.status = status
        self.channel = channel
        self.scenario = scenario
        self.step = step
        self.at = at
    }

    /// Feedback is an ordinary track event to scenarios; its id is derived so a replay dedups.
    public func event(customerId: String) -> Event {
        Event(
            name: status.eventName, messageId: "fb:\(status.rawValue):\(messageId)", userId: customerId,
            properties: [
                "message_id": .string(messageId), "channel": .string(channel), "scenario": .string(scenario),
                "step": .string(step),
            ],
            timestamp: at)
    }
}

/// What the transition function reacts to.
public enum Input: Sendable, Equatable {
    case event(Event)
    /// A timer the core scheduled earlier came due; ids that no longer match are ignored.
    case timer(id: String)
    case feedback(DeliveryFeedback)
    /// Re-plan trigger timers against the current catalog: plans the date triggers of newly
    /// deployed scenarios, arms absence triggers the customer has no timer for, and drops the
    /// timers of scenarios no longer live. Idempotent. The runtime sends it to every existing
    /// customer when `ScenarioCatalog.timerTriggerScenarios` changes (the engine's replan).
    case replan
}

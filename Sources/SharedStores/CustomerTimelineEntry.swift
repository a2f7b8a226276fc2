import EngineCore
import Foundation

/// One event in a customer's timeline: what arrived on the events or feedback topic, as the
/// admin API shows it. Identified by customer and the event's messageId, so a replay is the
/// same entry.
public struct CustomerTimelineEntry: Sendable, Equatable {
    /// Which topic it came from.
    public enum Source: String, Sendable {
        case events, feedback
    }

    public var customerId: String
    public var eventId: String
    /// Set when the event tied an anonymous visitor to the customer (or came from one).
    public var anonymousId: String?
    public var kind: Event.Kind
    /// Track event name, page or screen name; empty for identify.
    public var name: String
    public var source: Source
    public var properties: [String: Value]
    public var traits: [String: Value]
    public var at: Date

    public init(
        customerId: String, eventId: String, anonymousId: String?, kind: Event.Kind, name: String, source: Source,
        properties: [String: Value], traits: [String: Value], at: Date
    ) {
        self.customerId = customerId
        self.eventId = eventId
        self.anonymousId = anonymousId
        self.kind = kind
        self.name = name
        self.source = source
        self.properties = properties
        self.traits = traits
        self.at = at
    }

    /// The entry of a decoded event: under its userId, or its anonymousId when it has none.
    public init?(_ event: Event, source: Source) {
        guard let customerId = event.customerId else { return nil }
        self.init(
            customerId: customerId, eventId: event.messageId,
            anonymousId: event.anonymousId == customerId ? nil : event.anonymousId, kind: event.kind, name: event.name,
            source: source, properties: event.properties, traits: event.traits,
            at: Date(timeIntervalSince1970: Double(event.timestamp.milliseconds) / 1000))
    }
}

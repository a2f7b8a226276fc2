import EngineCore

extension Event {
    /// The event as a Segment-spec object, for records the engine produces itself (emitted
    /// events, events forwarded from a merged anonymous id).
    var segmentObject: Value {
        var object: [String: Value] = [
            "type": .string(kind.rawValue),
            "messageId": .string(messageId),
            "timestamp": .string(ISO8601.format(timestamp)),
        ]
        switch kind {
        case .track: object["event"] = .string(name)
        case .page, .screen: object["name"] = .string(name)
        case .identify: break
        }
        if let userId { object["userId"] = .string(userId) }
        if let anonymousId { object["anonymousId"] = .string(anonymousId) }
        if !properties.isEmpty { object["properties"] = Value.object(properties).plainJSON }
        if !traits.isEmpty { object["traits"] = Value.object(traits).plainJSON }
        return .object(object)
    }
}

extension Value {
    /// Instants and spans as JSON has them (ISO-8601 strings, milliseconds), for records other
    /// systems read; the core's own encoding keeps them typed.
    public var plainJSON: Value {
        switch self {
        case .timestamp(let instant): .string(ISO8601.format(instant))
        case .span(let span): .int(span.milliseconds)
        case .list(let items): .list(items.map(\.plainJSON))
        case .object(let fields): .object(fields.mapValues(\.plainJSON))
        default: self
        }
    }
}

extension Event {
    /// The same event for another customer (a merged anonymous id's events go to the known one).
    func reassigned(to customerId: String) -> Event {
        Event(
            kind: kind, name: name, messageId: messageId, userId: customerId, anonymousId: anonymousId,
            properties: properties, traits: traits, timestamp: timestamp)
    }
}

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

extension Event {
    /// The same event for another customer (a merged anonymous id's events go to the known one).
    func reassigned(to customerId: String) -> Event {
        Event(
            kind: kind, name: name, messageId: messageId, userId: customerId, anonymousId: anonymousId,
            properties: properties, traits: traits, timestamp: timestamp)
    }
}

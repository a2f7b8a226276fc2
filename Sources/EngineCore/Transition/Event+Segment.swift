/// Why a JSON object is not a usable Segment-spec event.
public struct SegmentFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unknownType = "unknown_type"
        case missingEventName = "missing_event_name"
        case missingTimestamp = "missing_timestamp"
        case badTimestamp = "bad_timestamp"
        case missingIdentity = "missing_identity"
        case badField = "bad_field"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension Event {
    /// Reads a Segment/RudderStack-spec object: `type` (track, identify, page, screen; default
    /// track), `event` (track) or `name` (page/screen), `messageId`, `userId`/`anonymousId`,
    /// `properties`, `traits` (or `context.traits`), `timestamp` (or `originalTimestamp`).
    /// `fallbackMessageId` names the event when it carries no `messageId`; it must be stable for
    /// the same input so that a replay is recognised.
    ///
    /// Every field the spec defines is checked for its type, also those Nudge does not read, so a
    /// malformed event is refused here (a 400 on the HTTP API, a dead letter on Kafka) rather than
    /// passed on: strings for `type`, `event` (track), `name` (page, screen), `messageId`; strings
    /// for `userId` and `anonymousId`, or integers (kept as their decimal text), which Segment's
    /// libraries and API have long taken; ISO-8601 date-time strings for `timestamp`,
    /// `originalTimestamp`, `sentAt`, `receivedAt`; objects for `properties`, `traits`, `context`,
    /// `context.traits`, `integrations`. `null` counts as absent, as Segment's libraries send it
    /// for an id they do not have. A wrong type is reported before a missing field.
    public init(segment object: [String: Value], fallbackMessageId: String) throws(SegmentFormatError) {
        let typeName = try Self.string(object, "type") ?? "track"
        guard let kind = Kind(rawValue: typeName) else {
            throw SegmentFormatError(.unknownType, "unknown event type '\(typeName)' (track, identify, page, screen)")
        }
        let name = try Self.string(object, kind == .track ? "event" : "name") ?? ""
        let messageId = try Self.string(object, "messageId")
        let userId = try Self.identifier(object, "userId")
        let anonymousId = try Self.identifier(object, "anonymousId")
        let time = try Self.dateTime(object, "timestamp")
        let originalTime = try Self.dateTime(object, "originalTimestamp")
        _ = try Self.dateTime(object, "sentAt")
        _ = try Self.dateTime(object, "receivedAt")
        let properties = try Self.object(object, "properties")
        var traits = try Self.object(object, "traits") ?? [:]
        var contextTraits: [String: Value]?
        if let context = try Self.object(object, "context") {
            contextTraits = try Self.object(context, "traits", named: "context.traits")
        }
        _ = try Self.object(object, "integrations")

        if kind == .track, name.isEmpty {
            throw SegmentFormatError(.missingEventName, "a track event needs a non-empty 'event'")
        }
        guard let timestamp = time ?? originalTime else {
            throw SegmentFormatError(.missingTimestamp, "needs an ISO-8601 'timestamp'")
        }
        guard userId != nil || anonymousId != nil else {
            throw SegmentFormatError(.missingIdentity, "needs a non-empty 'userId' or 'anonymousId'")
        }
        if traits.isEmpty, let contextTraits { traits = contextTraits }
        self.init(
            kind: kind,
            name: name,
            messageId: messageId ?? fallbackMessageId,
            userId: userId,
            anonymousId: anonymousId,
            properties: properties ?? [:],
            traits: traits,
            timestamp: timestamp
        )
    }

    private static func string(_ object: [String: Value], _ key: String) throws(SegmentFormatError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return try withoutNUL(text, key)
        case let other?: throw wrongType(key, expected: "a string", got: other)
        }
    }

    /// `userId`, `anonymousId`: a string or an integer (as its decimal text); empty is absent.
    private static func identifier(_ object: [String: Value], _ key: String) throws(SegmentFormatError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? nil : try withoutNUL(text, key)
        case .int(let number)?: return String(number)
        case let other?: throw wrongType(key, expected: "a string (or an integer)", got: other)
        }
    }

    /// Names and identifiers end up in keys, headers and PostgreSQL text columns, none of which
    /// can hold U+0000; such an event is refused rather than stored differently in each place.
    private static func withoutNUL(_ text: String, _ key: String) throws(SegmentFormatError) -> String {
        guard !text.utf8.contains(0) else {
            throw SegmentFormatError(.badField, "'\(key)' contains the NUL character (U+0000)")
        }
        return text
    }

    private static func dateTime(_ object: [String: Value], _ key: String) throws(SegmentFormatError) -> Timestamp? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?:
            guard let time = ISO8601.parse(text) else {
                throw SegmentFormatError(.badTimestamp, "'\(key)' is not an ISO-8601 date-time: \"\(text.prefix(64))\"")
            }
            return time
        case let other?: throw wrongType(key, expected: "an ISO-8601 date-time string", got: other)
        }
    }

    private static func object(
        _ object: [String: Value], _ key: String, named name: String? = nil
    ) throws(SegmentFormatError) -> [String: Value]? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let fields)?: return fields
        case let other?: throw wrongType(name ?? key, expected: "an object", got: other)
        }
    }

    /// Names the field, the type it needs and the JSON type it has, never the value (it may be
    /// personal data, and reasons are logged and sent as dead-letter headers).
    private static func wrongType(_ field: String, expected: String, got value: Value) -> SegmentFormatError {
        SegmentFormatError(.badField, "'\(field)' must be \(expected), got \(jsonType(value))")
    }

    private static func jsonType(_ value: Value) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .timestamp: "a timestamp value"
        case .span: "a time span value"
        case .list: "an array"
        case .object: "an object"
        }
    }
}

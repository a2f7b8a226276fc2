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
    public init(segment object: [String: Value], fallbackMessageId: String) throws(SegmentFormatError) {
        let typeName = try Self.optionalString(object, "type") ?? "track"
        guard let kind = Kind(rawValue: typeName) else {
            throw SegmentFormatError(.unknownType, "unknown event type '\(typeName)' (track, identify, page, screen)")
        }
        let name = try Self.optionalString(object, kind == .track ? "event" : "name") ?? ""
        if kind == .track, name.isEmpty {
            throw SegmentFormatError(.missingEventName, "a track event needs a non-empty 'event'")
        }
        guard let timeValue = object["timestamp"] ?? object["originalTimestamp"] else {
            throw SegmentFormatError(.missingTimestamp, "needs an ISO-8601 'timestamp'")
        }
        guard let timeText = timeValue.stringValue, let timestamp = ISO8601.parse(timeText) else {
            throw SegmentFormatError(.badTimestamp, "'timestamp' is not an ISO-8601 date-time: \(timeValue)")
        }
        let userId = try Self.optionalString(object, "userId").flatMap { $0.isEmpty ? nil : $0 }
        let anonymousId = try Self.optionalString(object, "anonymousId").flatMap { $0.isEmpty ? nil : $0 }
        guard userId != nil || anonymousId != nil else {
            throw SegmentFormatError(.missingIdentity, "needs a non-empty 'userId' or 'anonymousId'")
        }
        var traits = try Self.optionalObject(object, "traits") ?? [:]
        if traits.isEmpty, case .object(let context)? = object["context"], case .object(let values)? = context["traits"]
        {
            traits = values
        }
        self.init(
            kind: kind,
            name: name,
            messageId: try Self.optionalString(object, "messageId") ?? fallbackMessageId,
            userId: userId,
            anonymousId: anonymousId,
            properties: try Self.optionalObject(object, "properties") ?? [:],
            traits: traits,
            timestamp: timestamp
        )
    }

    private static func optionalString(_ object: [String: Value], _ key: String) throws(SegmentFormatError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case let other?: throw SegmentFormatError(.badField, "'\(key)' must be a string, got \(other)")
        }
    }

    private static func optionalObject(
        _ object: [String: Value], _ key: String
    ) throws(SegmentFormatError) -> [String: Value]? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let fields)?: return fields
        case let other?: throw SegmentFormatError(.badField, "'\(key)' must be an object, got \(other)")
        }
    }
}

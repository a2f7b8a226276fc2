import EngineCore
import Ingest
import Testing

@Suite("Decoding incoming Segment events")
struct EventDecoderTests {
    let decoder = EventDecoder(maxEventBytes: 512)

    func decode(_ json: String) -> Result<Event, DeadLetterReason> {
        decoder.decode(Array(json.utf8), recordId: "events/3/42")
    }

    @Test func trackEvent() throws {
        let event = try decode(
            #"{"type":"track","event":"Order Completed","messageId":"m1","userId":"u1","#
                + #""properties":{"total":12.5,"order_id":"o1"},"timestamp":"2026-11-22T10:00:00Z"}"#
        ).get()
        #expect(event.kind == .track)
        #expect(event.name == "Order Completed")
        #expect(event.messageId == "m1")
        #expect(event.customerId == "u1")
        #expect(event.properties["total"] == .double(12.5))
        #expect(event.timestamp == ISO8601.parse("2026-11-22T10:00:00Z"))
    }

    @Test func identifyTakesTraitsAndContextTraits() throws {
        let direct = try decode(
            #"{"type":"identify","userId":"u1","anonymousId":"a1","traits":{"email":"x@y.z"},"#
                + #""timestamp":"2026-11-22T10:00:00Z"}"#
        ).get()
        #expect(direct.traits["email"] == .string("x@y.z"))
        #expect(direct.anonymousId == "a1")
        let nested = try decode(
            #"{"type":"identify","userId":"u1","context":{"traits":{"timezone":"Europe/Oslo"}},"#
                + #""timestamp":"2026-11-22T10:00:00Z"}"#
        ).get()
        #expect(nested.traits["timezone"] == .string("Europe/Oslo"))
    }

    @Test func missingMessageIdFallsBackToTheRecordId() throws {
        let event = try decode(#"{"event":"Signed Up","anonymousId":"a1","timestamp":"2026-11-22T10:00:00Z"}"#).get()
        #expect(event.messageId == "events/3/42")
        #expect(event.customerId == "a1")
    }

    @Test(arguments: [
        ("{not json", "not_json"),
        ("[1,2]", "not_object"),
        (#"{"type":"alias","userId":"u","timestamp":"2026-11-22T10:00:00Z"}"#, "unknown_type"),
        (#"{"type":"track","userId":"u","timestamp":"2026-11-22T10:00:00Z"}"#, "missing_event_name"),
        (#"{"event":"X","userId":"u"}"#, "missing_timestamp"),
        (#"{"event":"X","userId":"u","timestamp":"yesterday"}"#, "bad_timestamp"),
        (#"{"event":"X","userId":"","timestamp":"2026-11-22T10:00:00Z"}"#, "missing_identity"),
        (#"{"event":"X","userId":"u","properties":[1],"timestamp":"2026-11-22T10:00:00Z"}"#, "bad_field"),
        // NUL fits no key, header or PostgreSQL text column (schemathesis sent these).
        (#"{"event":"X","userId":"u\u0000","timestamp":"2026-11-22T10:00:00Z"}"#, "bad_field"),
        (#"{"event":"X\u0000","userId":"u","timestamp":"2026-11-22T10:00:00Z"}"#, "bad_field"),
        (#"{"type":"page","name":"\u0000","anonymousId":"a","timestamp":"2026-11-22T10:00:00Z"}"#, "bad_field"),
    ])
    func malformedEventsSayWhy(json: String, code: String) {
        guard case .failure(let reason) = decode(json) else {
            Issue.record("\(json) was accepted")
            return
        }
        #expect(reason.code == code)
        #expect(!reason.message.isEmpty)
    }

    /// A valid event of `type` with `field` set to `json` (replacing the field when it is there).
    static func event(type: String = "track", _ field: String, _ json: String) -> String {
        var fields: [(String, String)] = [
            ("type", #""\#(type)""#), ("userId", #""u1""#), ("timestamp", #""2026-11-22T10:00:00Z""#),
        ]
        fields.append(type == "track" ? ("event", #""Signed Up""#) : ("name", #""Home""#))
        if let index = fields.firstIndex(where: { $0.0 == field }) {
            fields[index].1 = json
        } else {
            fields.append((field, json))
        }
        return "{" + fields.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
    }

    @Test(arguments: WrongType.everyField)
    func aFieldOfTheWrongTypeIsRefusedNamingFieldAndType(_ wrong: WrongType) {
        let text = Self.event(type: wrong.eventType, wrong.field, wrong.json)
        guard case .failure(let reason) = decode(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(reason.code == "bad_field", "\(text)")
        #expect(reason.message == wrong.reason, "\(text)")
    }

    @Test func theWrongTypeIsReportedBeforeAMissingField() {
        // No identity either: the field of the wrong type is what the sender must fix first.
        guard case .failure(let reason) = decode(#"{"event":123,"timestamp":"2026-11-22T10:00:00Z"}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(reason.code == "bad_field")
        #expect(reason.message == "'event' must be a string, got a number")
    }

    @Test(arguments: ["timestamp", "originalTimestamp", "sentAt", "receivedAt"])
    func aDateThatIsNotISO8601IsABadTimestamp(_ field: String) {
        guard case .failure(let reason) = decode(Self.event(field, #""yesterday""#)) else {
            Issue.record("\(field) 'yesterday' was accepted")
            return
        }
        #expect(reason.code == "bad_timestamp")
        #expect(reason.message == #"'\#(field)' is not an ISO-8601 date-time: "yesterday""#)
    }

    @Test func integerIdsAreTheirDecimalTextAndNullIsAbsent() throws {
        let numeric = try decode(Self.event("userId", "1234567")).get()
        #expect(numeric.userId == "1234567")
        #expect(numeric.customerId == "1234567")
        let anonymous = try decode(
            #"{"event":"E","userId":null,"anonymousId":42,"messageId":null,"properties":null,"traits":null,"#
                + #""context":null,"integrations":null,"sentAt":null,"timestamp":"2026-11-22T10:00:00Z"}"#
        ).get()
        #expect(anonymous.userId == nil)
        #expect(anonymous.anonymousId == "42")
        #expect(anonymous.messageId == "events/3/42")
        #expect(anonymous.properties.isEmpty)
        let original = try decode(
            #"{"event":"E","userId":"u","timestamp":null,"originalTimestamp":"2026-11-22T09:00:00Z"}"#
        ).get()
        #expect(original.timestamp == ISO8601.parse("2026-11-22T09:00:00Z"))
    }

    @Test func everyTypedFieldOfTheRightTypeIsAccepted() throws {
        let event = try decode(
            #"{"type":"track","event":"E","messageId":"m","userId":"u","anonymousId":"a","#
                + #""timestamp":"2026-11-22T10:00:00Z","originalTimestamp":"2026-11-22T09:59:59Z","#
                + #""sentAt":"2026-11-22T10:00:01Z","receivedAt":"2026-11-22T10:00:02.500Z","properties":{},"#
                + #""traits":{},"context":{"traits":{"plan":"pro"},"ip":"1.2.3.4"},"integrations":{"All":true}}"#
        ).get()
        #expect(event.timestamp == ISO8601.parse("2026-11-22T10:00:00Z"))
        #expect(event.traits["plan"] == "pro")
    }

    @Test func notJSONSaysWhatAndWhere() {
        guard case .failure(let reason) = decode(#"{"event":"X","userId":"u",}"#) else {
            Issue.record("trailing comma accepted")
            return
        }
        #expect(reason.code == "not_json")
        #expect(reason.message == "body is not valid JSON: trailing comma before '}' at line 1, column 26 (byte 25)")
    }

    @Test func oversizedEventsAreRefused() {
        let padding = String(repeating: "x", count: 600)
        let json = #"{"event":"X","userId":"u","timestamp":"2026-11-22T10:00:00Z","properties":{"p":"\#(padding)"}}"#
        guard case .failure(let reason) = decode(json) else {
            Issue.record("oversized event accepted")
            return
        }
        #expect(reason.code == "too_large")
    }
}

/// A field the Segment spec types, set to a value of another JSON type.
struct WrongType: Sendable, CustomTestStringConvertible {
    var eventType: String
    var field: String
    var json: String
    /// The reason the decoder gives: the field, the type it needs, the type it got.
    var reason: String

    var testDescription: String { "\(eventType) \(field): \(json)" }

    static let everyField: [WrongType] = [
        .init(eventType: "track", field: "type", json: "123", reason: "'type' must be a string, got a number"),
        .init(eventType: "track", field: "event", json: "123", reason: "'event' must be a string, got a number"),
        .init(
            eventType: "track", field: "event", json: #"["Signed Up"]"#,
            reason: "'event' must be a string, got an array"),
        .init(eventType: "page", field: "name", json: "true", reason: "'name' must be a string, got a boolean"),
        .init(eventType: "screen", field: "name", json: #"{"n":1}"#, reason: "'name' must be a string, got an object"),
        .init(
            eventType: "track", field: "userId", json: "true",
            reason: "'userId' must be a string (or an integer), got a boolean"),
        .init(
            eventType: "track", field: "userId", json: "1.5",
            reason: "'userId' must be a string (or an integer), got a number"),
        .init(
            eventType: "identify", field: "anonymousId", json: "[]",
            reason: "'anonymousId' must be a string (or an integer), got an array"),
        .init(eventType: "track", field: "messageId", json: "42", reason: "'messageId' must be a string, got a number"),
        .init(
            eventType: "track", field: "timestamp", json: "1700000000",
            reason: "'timestamp' must be an ISO-8601 date-time string, got a number"),
        .init(
            eventType: "track", field: "originalTimestamp", json: "false",
            reason: "'originalTimestamp' must be an ISO-8601 date-time string, got a boolean"),
        .init(
            eventType: "track", field: "sentAt", json: "1700000000000",
            reason: "'sentAt' must be an ISO-8601 date-time string, got a number"),
        .init(
            eventType: "track", field: "receivedAt", json: "{}",
            reason: "'receivedAt' must be an ISO-8601 date-time string, got an object"),
        .init(
            eventType: "track", field: "properties", json: #""cheap""#,
            reason: "'properties' must be an object, got a string"),
        .init(eventType: "identify", field: "traits", json: "[1]", reason: "'traits' must be an object, got an array"),
        .init(
            eventType: "track", field: "context", json: #""web""#, reason: "'context' must be an object, got a string"),
        .init(
            eventType: "identify", field: "context", json: #"{"traits":"x"}"#,
            reason: "'context.traits' must be an object, got a string"),
        .init(
            eventType: "track", field: "integrations", json: "true",
            reason: "'integrations' must be an object, got a boolean"),
    ]
}

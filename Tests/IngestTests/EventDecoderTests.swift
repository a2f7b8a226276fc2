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
    ])
    func malformedEventsSayWhy(json: String, code: String) {
        guard case .failure(let reason) = decode(json) else {
            Issue.record("\(json) was accepted")
            return
        }
        #expect(reason.code == code)
        #expect(!reason.message.isEmpty)
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

import Foundation
import PropertyBased
import Testing

@testable import EngineCore

@Suite("Values, time formats, policy, event decoding, timeline output")
struct ValuesAndFormatsTests {
    @Test("ISO-8601 format and parse round-trip any instant")
    func isoRoundTrip() async {
        await propertyCheck(input: Gen.int64(in: -2_000_000_000_000...5_000_000_000_000)) { ms in
            let timestamp = Timestamp(milliseconds: ms)
            #expect(ISO8601.parse(ISO8601.format(timestamp)) == timestamp)
        }
    }

    @Test("ISO-8601 accepts offsets, fractions and bare dates; rejects garbage")
    func isoParsing() {
        #expect(ISO8601.parse("2026-05-01T12:00:00+02:00") == ISO8601.parse("2026-05-01T10:00:00Z"))
        #expect(
            ISO8601.parse("2026-05-01T10:00:00.5Z")?.milliseconds
                == (ISO8601.parse("2026-05-01T10:00:00Z")?.milliseconds ?? 0) + 500)
        #expect(ISO8601.parse("2026-05-01") == ISO8601.parse("2026-05-01T00:00:00Z"))
        #expect(ISO8601.parse("1970-01-01T00:00:00Z") == Timestamp(milliseconds: 0))
        #expect(ISO8601.parse("yesterday") == nil)
        #expect(ISO8601.parse("2026-13-01") == nil)
    }

    @Test("durations parse and print")
    func durations() throws {
        #expect(try TimeSpan.parse("1h30m").get() == .minutes(90))
        #expect(try TimeSpan.parse("500ms").get() == TimeSpan(milliseconds: 500))
        #expect(try TimeSpan.parse("2w").get() == .days(14))
        #expect(TimeSpan.minutes(90).formatted == "1h30m")
        if case .failure(let error) = TimeSpan.parse("10 minutes") {
            #expect(error.message == "bad duration '10 minutes': missing unit (use ms, s, m, h, d or w)")
        } else {
            Issue.record("'10 minutes' must not parse")
        }
    }

    @Test("values keep their kind through JSON, instants and spans included")
    func valueCoding() throws {
        let value: Value = [
            "a": 1, "b": 2.5, "c": "x", "d": nil, "e": [true, false],
            "f": .timestamp(Timestamp(milliseconds: 42)), "g": .span(.hours(1)),
        ]
        let decoded = try JSONDecoder().decode(Value.self, from: JSONEncoder().encode(value))
        #expect(decoded == value)
        #expect(Value.double(2) == Value.int(2))
        #expect(Set([Value.double(2), Value.int(2)]).count == 1)
    }

    @Test("stable hash is the same in every process (FNV-1a reference value)")
    func stableHash() {
        #expect(StableHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("ab", "c") != StableHash.fnv1a64("a", "bc"))
    }

    @Test("the sample policy loads with its caps, shadow cap, quiet hours and priorities")
    func samplePolicy() throws {
        let path = TestSupport.rulesDirectory + "/policy.yaml"
        let policy = try PolicyLoader.load(yaml: try TestSupport.read(path), file: path).get()
        #expect(policy.caps.count == 4)
        #expect(policy.caps.contains { $0.channel == nil && $0.max == 10 && $0.period == .days(7) })
        #expect(policy.shadowCaps == [ContactPolicy.Cap(channel: "email", max: 1, period: .days(1))])
        #expect(policy.quietHours?.from == TimeOfDay(hour: 21, minute: 0))
        #expect(policy.quietHours?.channels == ["sms", "push"])
        #expect(policy.defaultTimeZone == "Europe/Berlin")
        #expect(policy.dedupWindow == .hours(24))
        #expect(policy.priorities["win-notification"] == 95)
    }

    @Test("Segment JSON lines decode; bad lines are reported with their number")
    func segmentDecoding() throws {
        let lines = """
            {"type":"track","event":"Order Completed","userId":"u1","messageId":"m1","properties":{"total":30},\
            "timestamp":"2026-05-01T10:00:00Z"}

            {"type":"identify","anonymousId":"a1","traits":{"email":"x@example.com"},"timestamp":"2026-05-01T10:00:00Z"}
            """
        let events = try SegmentEventDecoder.events(jsonLines: lines, file: "e.jsonl")
        #expect(events.map(\.indexKey) == ["Order Completed", "$identify"])
        #expect(events.first?.properties["total"] == 30)
        #expect(events.last?.customerId == "a1")
        #expect(throws: SegmentEventDecoder.LineError.self) {
            try SegmentEventDecoder.events(jsonLines: "{\"type\":\"track\",\"userId\":\"u1\"}", file: "e.jsonl")
        }
        do {
            _ = try SegmentEventDecoder.events(
                jsonLines: "\n{\"type\":\"track\",\"event\":\"X\",\"userId\":\"u\"}", file: "e.jsonl")
        } catch {
            #expect(error.description == "e.jsonl:2: error: needs an ISO-8601 'timestamp'")
        }
        do {
            _ = try SegmentEventDecoder.events(jsonLines: "{}\n  {\"event\":\"X\",}", file: "e.jsonl")
            Issue.record("a trailing comma was accepted")
        } catch {
            #expect(error.description == "e.jsonl:2: error: not valid JSON: trailing comma before '}' (column 15)")
        }
    }

    @Test("JSON timeline lines carry customer_id, at, scenario, step, kind and channel")
    func jsonTimeline() throws {
        let engine = try TestSupport.engine(samples: ["welcome"])
        let run = TestSupport.run(
            engine, [TestSupport.track("Signed Up", ["method": "email"], at: "2026-05-01T10:00:00Z")])
        let lines = TimelineFormatter.render(run.timeline, format: .json).split(separator: "\n")
        let send = try #require(lines.first { $0.contains("\"kind\":\"send\"") })
        let object = try JSONDecoder().decode(Value.self, from: Data(send.utf8))
        #expect(object[member: "customer_id"] == "u1")
        #expect(object[member: "at"] == "2026-05-01T10:00:00Z")
        #expect(object[member: "scenario"] == "welcome")
        #expect(object[member: "step"] == "welcome_email")
        #expect(object[member: "channel"] == "email")
        let text = TimelineFormatter.render(run.timeline, format: .text)
        #expect(
            text.contains("2026-05-01T10:00:00Z  u1  welcome@1  welcome_email  send  channel=email template=welcome"))
    }
}

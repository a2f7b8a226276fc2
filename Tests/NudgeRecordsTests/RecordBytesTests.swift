import EngineCore
import Foundation
import NudgeRecords
import Testing

/// The records processes exchange, byte for byte. The engine writes them, the dispatcher and the
/// API read them, possibly a version apart during a rolling deploy: a change to any expected
/// string here is a change of a wire format and must come with a `record_version` step.
@Suite("Shared records: pinned bytes")
struct RecordBytesTests {
    static let message: OutboundMessage = {
        let json = #"""
            {"message_id":"m-1","customer_id":"c-1","channel":"email","template":"welcome",
             "variables":{"cart":{"total":12.5},"items":["a/b"]},"priority":2,"transactional":false,
             "subscription":"news","scenario":"welcome","scenario_version":3,"step":"send","instance":"i-1",
             "created_at":1764000000123,"policy":"sent","profile":{"email":"a@b.c","first_name":"Zoë"}}
            """#
        return try! JSONDecoder().decode(OutboundMessage.self, from: Data(json.utf8))
    }()

    /// The outbound topic's value, as the engine writes it (keys sorted, slashes unescaped).
    static let messageBytes =
        #"{"channel":"email","created_at":1764000000123,"customer_id":"c-1","instance":"i-1","message_id":"m-1","#
        + #""policy":"sent","priority":2,"profile":{"email":"a@b.c","first_name":"Zoë"},"record_version":1,"#
        + #""scenario":"welcome","scenario_version":3,"step":"send","subscription":"news","template":"welcome","#
        + #""transactional":false,"variables":{"cart":{"total":12.5},"items":["a/b"]}}"#

    @Test func outboundMessageBytes() throws {
        let written = String(decoding: try JSONValueWriter.bytes(Self.message.jsonValue), as: UTF8.self)
        #expect(written == Self.messageBytes)
        #expect(try JSONDecoder().decode(OutboundMessage.self, from: Data(written.utf8)) == Self.message)
    }

    /// Records written before `record_version` existed are version 1; a newer version is refused,
    /// not misread.
    @Test func outboundMessageVersions() throws {
        #expect(Self.message.recordVersion == 1)
        let newer = Self.messageBytes.replacingOccurrences(of: #""record_version":1"#, with: #""record_version":2"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(OutboundMessage.self, from: Data(newer.utf8))
        }
    }

    static let slot = SlotContent(
        payload: ["headline": "Free shipping", "url": "https://shop.example/sale"],
        expiresAt: Timestamp(milliseconds: 1_764_003_600_000), scenario: "welcome", step: "banner",
        updatedAt: Timestamp(milliseconds: 1_764_000_000_000))

    /// The value of a field of `<prefix>:slots:{customer}`, read by the content API.
    static let slotBytes =
        #"{"expires_at":1764003600000,"payload":{"headline":"Free shipping","url":"https://shop.example/sale"},"#
        + #""record_version":1,"scenario":"welcome","step":"banner","updated_at":1764000000000}"#

    @Test func slotContentBytes() throws {
        let written = try JSONValueWriter.bytes(Self.slot.jsonValue)
        #expect(String(decoding: written, as: UTF8.self) == Self.slotBytes)
        #expect(try SlotContent(storedJSON: written) == Self.slot)
        #expect(try JSONDecoder().decode(SlotContent.self, from: Data(written)) == Self.slot)
    }

    @Test func slotContentVersions() throws {
        let unversioned = Self.slotBytes.replacingOccurrences(of: #""record_version":1,"#, with: "")
        #expect(try SlotContent(storedJSON: Array(unversioned.utf8)) == Self.slot)
        let newer = Self.slotBytes.replacingOccurrences(of: #""record_version":1"#, with: #""record_version":2"#)
        #expect(throws: SlotContentError.self) { try SlotContent(storedJSON: Array(newer.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SlotContent.self, from: Data(newer.utf8)) }
    }

    /// The Redis layout the engine writes and the API and dispatcher read: customer keys share
    /// one hash tag per customer, partition keys one per partition.
    @Test func redisKeyLayout() {
        let keys = RedisKeys(prefix: "nudge")
        #expect(keys.customer("c-1") == "nudge:cust:{c-1}")
        #expect(keys.outbox("c-1", partition: 3) == "nudge:outbox:{c-1}:p3")
        #expect(keys.slots("c-1") == "nudge:slots:{c-1}")
        #expect(keys.timers(partition: 3) == "nudge:timers:{p3}")
        #expect(keys.pendingOutbox(partition: 3) == "nudge:outbox-pending:{p3}")
        #expect(keys.producedCheckpoint(partition: 3) == "nudge:produced:{p3}")
        #expect(keys.stats == "nudge:stats")
        #expect(keys.report(scenario: "welcome", hour: "2026120710") == "nudge:report:welcome:2026120710")
        #expect(keys.reportNow(scenario: "welcome") == "nudge:report-now:welcome")
        #expect(
            [RedisKeys.stateField, RedisKeys.aliasField, RedisKeys.versionField, RedisKeys.offsetField(source: "t/1")]
                == ["s", "a", "v", "o:t/1"])
        #expect(RedisKeys.timerMember(customer: "c-1", timer: "t") == "c-1\u{1F}t")
    }
}

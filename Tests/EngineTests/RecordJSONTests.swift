import EngineCore
import Foundation
import NudgeRecords
import ProcessSupport
import Testing

@testable import Engine

/// Pure: the engine's hand-built record JSON must keep the exact bytes Foundation's encoder wrote
/// for the same records (outboxes and slots written before the change are read back unchanged,
/// and downstream consumers see no difference).
@Suite("Engine records as JSON")
struct RecordJSONTests {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private func foundationText(_ value: some Encodable) throws -> String {
        String(decoding: try Self.encoder.encode(value), as: UTF8.self)
    }

    /// Quotes, backslashes, slashes, control characters, non-ASCII and keys that sort by UTF-8 bytes.
    private static let awkward = #"say \"hi\" \\ a/b \u0001\t\n é 😀 \u2028"#

    @Test("An outbound message, with and without a subscription")
    func outboundMessage() throws {
        for subscription in [#""subscription": "news/\#(Self.awkward)","#, ""] {
            let json = """
                {"message_id": "m-1", "customer_id": "c/\(Self.awkward)", "channel": "email", "template": "t",
                 "variables": {"b": 1, "a": [1.5, -2, true, null, "x"], "Z": {"é": "\(Self.awkward)", "e": 1e20}},
                 "priority": -3, "transactional": true, \(subscription) "scenario": "s", "scenario_version": 7,
                 "step": "send", "instance": "i", "created_at": 1764000000123, "policy": "sent",
                 "profile": {"email": "a@b.c", "first_name": "\(Self.awkward)", "age": 41, "score": 0.1}}
                """
            let message = try JSONDecoder().decode(OutboundMessage.self, from: Data(json.utf8))
            #expect(try RecordJSON.text(message.jsonValue) == foundationText(message))
        }
    }

    @Test("A content slot, with and without an expiry")
    func slotContent() throws {
        for expiresAt in [Timestamp(milliseconds: 1_764_000_000_000), nil] {
            let content = SlotContent(
                payload: ["headline": .string(Self.awkward), "items": .list([.int(1), .double(2.25)])],
                expiresAt: expiresAt, scenario: "welcome", step: "show", updatedAt: Timestamp(milliseconds: 42))
            #expect(try RecordJSON.text(content.jsonValue) == foundationText(content))
        }
    }

    @Test("A content slot reads back from its stored bytes as JSONDecoder reads it, and bad ones say why")
    func slotContentReadBack() throws {
        for expiresAt in [Timestamp(milliseconds: 1_764_000_000_000), nil] {
            let content = SlotContent(
                payload: [
                    "headline": .string(Self.awkward), "items": .list([.int(1), .double(2.25), .null]),
                    "at": .timestamp(Timestamp(milliseconds: 5)), "nested": .object(["$ts": .string("text")]),
                ],
                expiresAt: expiresAt, scenario: "welcome", step: "show", updatedAt: Timestamp(milliseconds: 42))
            let bytes = try JSONValueWriter.bytes(content.jsonValue)
            #expect(try SlotContent(storedJSON: bytes) == content)
            #expect(try SlotContent(storedJSON: bytes) == JSONDecoder().decode(SlotContent.self, from: Data(bytes)))
        }
        // A payload that is one `$ts` key is a map to both readers, not an instant.
        let oneKey = Array(#"{"payload":{"$ts":5},"scenario":"s","step":"x","updated_at":1}"#.utf8)
        #expect(try SlotContent(storedJSON: oneKey) == JSONDecoder().decode(SlotContent.self, from: Data(oneKey)))
        for (json, reason) in [
            ("[]", "not an object"), ("{", "not JSON"),
            (#"{"payload":{},"scenario":"s","step":"x"}"#, "`updated_at`"),
            (#"{"payload":{},"scenario":1,"step":"x","updated_at":1}"#, "`scenario`"),
            (#"{"payload":[],"scenario":"s","step":"x","updated_at":1}"#, "`payload`"),
            (#"{"payload":{},"scenario":"s","step":"x","updated_at":1,"expires_at":"soon"}"#, "`expires_at`"),
        ] {
            #expect {
                try SlotContent(storedJSON: Array(json.utf8))
            } throws: { error in
                (error as? SlotContentError)?.message.contains(reason) == true
            }
        }
    }

    @Test("An outbox record, with and without an explicit partition")
    func outboxRecord() throws {
        for partition in [Int32(5), nil] {
            let record = OutboxRecord(
                id: "m-1#deferred@42", topic: "nudge.outbound", partition: partition, key: "c-\(Self.awkward)",
                value: #"{"a":"b\"c"}"#)
            let text = try record.encoded()
            #expect(text == (try foundationText(record)))
            #expect(try OutboxRecord.decode(Array(text.utf8)) == record)
        }
    }
}

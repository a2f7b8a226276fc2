import EngineCore
import Ingest
import Testing

@Suite("Reading a Segment event's envelope without decoding it")
struct SegmentEnvelopeTests {
    func scan(_ json: String) -> SegmentEnvelope? { SegmentEnvelope.scan(Array(json.utf8)) }

    @Test func readsKindNameAndCustomer() {
        #expect(
            scan(#"{"type":"track","event":"Order Completed","userId":"u1","properties":{"a":[1,{"b":"}"}]}}"#)
                == SegmentEnvelope(kind: .track, name: "Order Completed", customerId: "u1"))
        #expect(
            scan(#" { "type" : "page" , "name" : "/cart", "anonymousId":"a1" } "#)
                == SegmentEnvelope(kind: .page, name: "/cart", customerId: "a1"))
        #expect(
            scan(#"{"type":"identify","userId":"","anonymousId":"a2","traits":{"x":null}}"#)
                == SegmentEnvelope(kind: .identify, name: "", customerId: "a2"))
        #expect(
            scan(#"{"event":"Signed Up","userId":"u3","anonymousId":"a3"}"#)
                == SegmentEnvelope(kind: .track, name: "Signed Up", customerId: "u3"),
            "type defaults to track, userId wins over anonymousId")
        #expect(
            scan(#"{"type":"page","userId":"u4","name":null}"#)
                == SegmentEnvelope(kind: .page, name: "", customerId: "u4"))
    }

    @Test func theFirstOfDuplicateKeysCounts() {
        #expect(scan(#"{"event":"A","event":"B","userId":"u1"}"#)?.name == "A")
        #expect(scan(#"{"event":"A","userId":null,"userId":"u2","anonymousId":"a"}"#)?.customerId == "a")
    }

    @Test(arguments: [
        #"[1,2]"#,
        #"{"event":"A","userId":"u1""#,
        #"{"event":"A","userId":"u1"} x"#,
        #"{"event":"A","userId":"u1",}"#,
        #"{"event":"A\n","userId":"u1"}"#,
        #"{"event":"Käse","userId":"u1"}"#,
        #"{"event":"A","userId":42}"#,
        #"{"event":"A","userId":{"id":"u1"}}"#,
        #"{"event":"A"}"#,
        #"{"event":"","userId":"u1"}"#,
        #"{"type":"alias","userId":"u1"}"#,
        #"{"event":"A","userId":"u1","properties":{"a":[1,2}}"#,
        #"{"event":"A","userId":"u1","properties":{"a" 1}}"#,
        #"{"ev\u0065nt":"A","userId":"u1"}"#,
        "\u{FEFF}{\"event\":\"A\",\"userId\":\"u1\"}",
        "",
    ])
    func leavesEverythingElseToTheFullDecode(_ json: String) {
        #expect(scan(json) == nil)
    }

    /// Where the envelope answers and the event decodes, both say the same.
    @Test func agreesWithTheDecoder() throws {
        let decoder = EventDecoder()
        let kinds = ["track", "page", "screen", "identify", nil]
        let names = ["Order Completed", "/home", "", nil]
        let ids = ["u1", "", nil]
        var agreed = 0
        for kind in kinds {
            for name in names {
                for userId in ids {
                    for anonymousId in ids {
                        var fields = [#""timestamp":"2026-12-07T10:00:00Z""#, #""properties":{"p":[1,{"q":"r"}]}"#]
                        if let kind { fields.append(#""type":"\#(kind)""#) }
                        if let name {
                            fields.append(#""\#(kind == nil || kind == "track" ? "event" : "name")":"\#(name)""#)
                        }
                        if let userId { fields.append(#""userId":"\#(userId)""#) }
                        if let anonymousId { fields.append(#""anonymousId":"\#(anonymousId)""#) }
                        let bytes = Array("{\(fields.joined(separator: ","))}".utf8)
                        let envelope = SegmentEnvelope.scan(bytes)
                        switch decoder.decode(bytes, recordId: "t/0/1") {
                        case .success(let event):
                            let found = try #require(
                                envelope, "decodes but no envelope: \(String(decoding: bytes, as: UTF8.self))")
                            #expect(found.kind == event.kind)
                            #expect(found.name == event.name)
                            #expect(found.customerId == event.customerId)
                            agreed += 1
                        case .failure:
                            #expect(envelope == nil, "envelope for an event that does not decode")
                        }
                    }
                }
            }
        }
        #expect(agreed > 20)
    }
}

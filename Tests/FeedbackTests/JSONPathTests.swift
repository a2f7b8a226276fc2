import EngineCore
import Testing

@testable import Feedback

@Suite("JSON paths into provider payloads")
struct JSONPathTests {
    static let payload: Value = [
        "status": "delivered",
        "code": 250,
        "score": 0.5,
        "final": true,
        "nothing": nil,
        "data": ["attributes": ["reference": "m-1", "tags": ["a", "b", "c"]]],
        "events": [["id": "e-0"], ["id": "e-1", "nested": [[1, 2], [3, 4]]]],
    ]

    @Test(arguments: [
        ("$.status", "delivered"), ("status", "delivered"), (".status", "delivered"), ("  $.status ", "delivered"),
        ("$.data.attributes.reference", "m-1"), ("data.attributes.tags[2]", "c"), ("$.events[1].id", "e-1"),
        ("$.events[0].id", "e-0"), ("events[1].nested[1][0]", "3"), ("$.code", "250"), ("$.score", "0.5"),
        ("$.final", "true"),
    ])
    func resolvesMembersAndIndicesAsText(path: String, expected: String) throws {
        #expect(try JSONPath(path).text(in: Self.payload) == expected)
    }

    @Test func aPathStartingWithAnIndexReadsARootList() throws {
        let list: Value = [["status": "opened"], ["status": "clicked"]]
        #expect(try JSONPath("$[1].status").text(in: list) == "clicked")
        #expect(try JSONPath("[0]").resolve(in: list) == ["status": "opened"])
    }

    @Test(arguments: [
        "$.missing", "$.status.deeper", "$.events[2].id", "$.events.id", "$.data[0]", "$.data.attributes.tags[3]",
        "$.nothing.more",
    ])
    func anyMissingStepResolvesToNil(path: String) throws {
        #expect(try JSONPath(path).resolve(in: Self.payload) == nil)
    }

    @Test func resolveReturnsStructuredValuesButTextOnlyScalars() throws {
        let attributes = try JSONPath("$.data.attributes")
        #expect(attributes.resolve(in: Self.payload)?[member: "reference"] == "m-1")
        #expect(attributes.text(in: Self.payload) == nil)
        #expect(try JSONPath("$.events").text(in: Self.payload) == nil)
        #expect(try JSONPath("$.nothing").resolve(in: Self.payload) == .null)
        #expect(try JSONPath("$.nothing").text(in: Self.payload) == nil)
    }

    @Test func describesItselfAsWritten() throws {
        #expect(try JSONPath("$.events[0].id").description == "$.events[0].id")
        #expect(try JSONPath("data.id").description == "data.id")
    }

    @Test(arguments: [
        ("", "names no field"), ("$", "names no field"), ("$.", "names no field"), ("  ", "names no field"),
        ("a.", "ends with '.'"), ("a..b", "empty member name"), ("$..a", "empty member name"),
        ("a[", "expected [<non-negative integer>]"), ("a[-1]", "expected [<non-negative integer>]"),
        ("a[x]", "expected [<non-negative integer>]"), ("a[]", "expected [<non-negative integer>]"),
        ("a[1", "expected [<non-negative integer>]"),
    ])
    func refusesMalformedPathsWithAReason(text: String, reason: String) {
        #expect(throws: JSONPath.ParseError(path: text, reason: reason)) { try JSONPath(text) }
    }

    @Test func aParseErrorNamesThePath() {
        let error = #expect(throws: JSONPath.ParseError.self) { try JSONPath("a..b") }
        #expect(error?.description == #"invalid path "a..b": empty member name"#)
    }
}

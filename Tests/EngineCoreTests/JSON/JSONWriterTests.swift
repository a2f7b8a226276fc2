import Foundation
import Testing

@testable import EngineCore

@Suite("JSON writer")
struct JSONWriterTests {
    func text(_ value: Value) throws -> String {
        String(decoding: try JSONValueWriter.bytes(value), as: UTF8.self)
    }

    @Test("keys sort by UTF-8 bytes, numbers and strings are written as JSONEncoder writes them")
    func format() throws {
        let value: Value = [
            "b": 1, "a": [1.0, 1.5, -0.0, 1e20, 1e-7, 1e15, 1e16], "é": "x\"\\/\u{0}\u{1f}\u{7f}\n",
            "e\u{301}x": .timestamp(Timestamp(milliseconds: -3)), "A": .span(TimeSpan(milliseconds: 9)), "": [:],
        ]
        let expected =
            #"{"":{},"A":{"$ms":9},"a":[1,1.5,-0,1e+20,1e-07,1000000000000000,1e+16],"b":1,"#
            + "\"e\u{301}x\":{\"$ts\":-3},\"é\":\"x\\\"\\\\/\\u0000\\u001f\u{7f}\\n\"}"
        #expect(try text(value) == expected)
        #expect(try JSONValueWriter.bytes(value) == ReferenceJSON.encode(value))
        #expect(try text(.int(Int64.min)) == "-9223372036854775808")
    }

    @Test("non-finite doubles cannot be written; jsonText falls back to null as before")
    func nonFinite() {
        #expect(throws: JSONWriteError.self) { try JSONValueWriter.bytes(["x": .double(.nan)]) }
        #expect(Value.list([.double(.infinity)]).jsonText == "null")
        #expect(ReferenceJSON.encode(.list([.double(.infinity)])) == nil)
    }
}

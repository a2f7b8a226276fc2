import Foundation
import Testing

@testable import EngineCore

@Suite("JSON parser: edge cases and malformed input")
struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> Value {
        try JSONValueParser.parse(Array(text.utf8))
    }

    func failure(_ bytes: [UInt8]) -> JSONParseError? {
        do {
            _ = try JSONValueParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    func failure(_ text: String) -> JSONParseError? { failure(Array(text.utf8)) }

    @Test("integers and doubles are decided as JSONDecoder decides them")
    func numberKinds() throws {
        let cases: [(String, String)] = [
            ("1", "int(1)"), ("1.0", "int(1)"), ("-0.0", "int(0)"), ("1e3", "int(1000)"), ("1.5e1", "int(15)"),
            ("1e-400", "int(0)"), ("1.5", "double(\(1.5.bitPattern))"), ("1e19", "double(\(1e19.bitPattern))"),
            ("9223372036854775807", "int(\(Int64.max))"), ("-9223372036854775808", "int(\(Int64.min))"),
            ("9223372036854775808", "double(\(9.223372036854775808e18.bitPattern))"),
            ("9007199254740993.0", "int(9007199254740993)"), ("9007199254740993.5", "int(9007199254740993)"),
            ("-9223372036854775808.0", "double(\((-9.223372036854775808e18).bitPattern))"),
        ]
        for (text, expected) in cases {
            #expect(strictDump(try parse(text)) == expected, "\(text)")
            #expect(ReferenceJSON.decode(Array(text.utf8)).map(strictDump) == expected, "reference \(text)")
        }
    }

    @Test("escapes, surrogate pairs, U+0000 and raw UTF-8 come through as the same scalars")
    func strings() throws {
        #expect(try parse(#""\u0041\u00e9\ud83d\ude00\/\b\f\n\r\t\\\"""#) == .string("Aé😀/\u{8}\u{c}\n\r\t\\\""))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try parse("\"日本語 😀 \u{7f}\"") == .string("日本語 😀 \u{7f}"))
        #expect(try parse(#""\uDBFF\uDFFF""#) == .string("\u{10FFFF}"))
    }

    @Test("instants and spans: one-key objects with an integer, as the Codable form writes them")
    func instantsAndSpans() throws {
        #expect(try parse(#"{"$ts":5}"#) == .timestamp(Timestamp(milliseconds: 5)))
        #expect(try parse(#"{"$ms":5.0}"#) == .span(TimeSpan(milliseconds: 5)))
        #expect(strictDump(try parse(#"{"$ts":5.5}"#)) == #"{string(["24", "74", "73"]):double(\#(5.5.bitPattern))}"#)
        #expect(try parse(#"{"$ts":5,"x":1}"#) == ["$ts": 5, "x": 1])
    }

    @Test("the first of duplicate keys wins, canonically equal keys included, as in JSONDecoder")
    func duplicateKeys() throws {
        #expect(strictDump(try parse(#"{"a":1,"a":2.5}"#)) == #"{string(["61"]):int(1)}"#)
        #expect(try parse("{\"é\":1,\"e\u{301}\":2}") == ["é": 1])
        #expect(try parse(#"{"$ts":1,"$ts":1.5}"#) == .timestamp(Timestamp(milliseconds: 1)))
    }

    @Test("whitespace around values, top-level scalars, a UTF-8 byte-order mark, UTF-16 input")
    func framing() throws {
        #expect(try parse(" \t\r\n[ 1 , 2 ]\n") == [1, 2])
        #expect(try parse("\"x\"") == "x")
        #expect(try parse("null") == .null)
        #expect(try JSONValueParser.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object([:]))
        let utf16 = Array(#"{"a":"😀"}"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try JSONValueParser.parse(utf16) == ["a": "😀"])
    }

    @Test("512 levels of nesting are read, 513 refused without touching the stack limit")
    func depth() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try parse(ok) }
        let error = failure(String(repeating: "[", count: 100_000))
        #expect(error?.code == .tooDeep)
        #expect(error?.byteOffset == 512)
        #expect(failure(String(repeating: #"{"a":"#, count: 513) + "1" + String(repeating: "}", count: 513))?.code == .tooDeep)
    }

    @Test(
        "malformed input is refused with a code and the place",
        arguments: [
            ("", JSONParseError.Code.unexpectedEnd, 0, 1, 1),
            ("  ", .unexpectedEnd, 2, 1, 3),
            (#"{"a":1"#, .unexpectedEnd, 6, 1, 7),
            ("[1,\n 2", .unexpectedEnd, 6, 2, 3),
            (#""abc"#, .unexpectedEnd, 0, 1, 1),
            ("tru", .unexpectedEnd, 3, 1, 4),
            ("nul", .unexpectedEnd, 3, 1, 4),
            (#""\x""#, .invalidEscape, 1, 1, 2),
            (#""\u12G4""#, .invalidEscape, 1, 1, 2),
            (#""\u12""#, .invalidEscape, 1, 1, 2),
            (#""\ud83d""#, .invalidSurrogate, 1, 1, 2),
            (#""\ud83d\u0041""#, .invalidSurrogate, 1, 1, 2),
            (#""\ude00""#, .invalidSurrogate, 1, 1, 2),
            ("\"a\tb\"", .controlCharacterInString, 2, 1, 3),
            ("\"a\nb\"", .controlCharacterInString, 2, 1, 3),
            ("NaN", .unexpectedCharacter, 0, 1, 1),
            ("Infinity", .unexpectedCharacter, 0, 1, 1),
            ("[-Infinity]", .invalidNumber, 1, 1, 2),
            ("[1,2,]", .trailingComma, 4, 1, 5),
            (#"{"a":1,}"#, .trailingComma, 6, 1, 7),
            ("[1 2]", .unexpectedCharacter, 3, 1, 4),
            (#"{"a" 1}"#, .unexpectedCharacter, 5, 1, 6),
            ("{a:1}", .unexpectedCharacter, 1, 1, 2),
            ("{}x", .unexpectedCharacter, 2, 1, 3),
            ("01", .invalidNumber, 0, 1, 1),
            ("1.", .invalidNumber, 0, 1, 1),
            ("[1-2]", .invalidNumber, 1, 1, 2),
            ("1e400", .numberOutOfRange, 0, 1, 1),
            ("é", .unexpectedCharacter, 0, 1, 1),
            ("// c\n1", .unexpectedCharacter, 0, 1, 1),
        ])
    func malformed(text: String, code: JSONParseError.Code, offset: Int, line: Int, column: Int) {
        guard let error = failure(text) else {
            Issue.record("\(text.debugDescription) was accepted")
            return
        }
        #expect(error.code == code, "\(text.debugDescription): \(error)")
        #expect(error.byteOffset == offset, "\(text.debugDescription): \(error)")
        #expect(error.line == line && error.column == column, "\(text.debugDescription): \(error)")
        #expect(!error.message.isEmpty)
        // All of these are refused by JSONDecoder too, except the trailing commas it tolerates.
        if code != .trailingComma { #expect(ReferenceJSON.decode(Array(text.utf8)) == nil, "\(text.debugDescription)") }
    }

    @Test("invalid UTF-8 in a string is refused at the offending sequence, like JSONDecoder")
    func invalidUTF8() {
        let cases: [[UInt8]] = [
            [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
            [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
        ]
        for sequence in cases {
            let bytes = Array(#"["ok","a"#.utf8) + sequence + Array(#"b"]"#.utf8)
            let error = failure(bytes)
            #expect(error?.code == .invalidUTF8, "\(sequence)")
            #expect(error?.byteOffset == 8, "\(sequence)")
            #expect(ReferenceJSON.decode(bytes) == nil, "\(sequence)")
        }
    }

    @Test("error messages name what was wrong and where")
    func messages() {
        #expect(failure("[1,\n  tru]")?.description == "invalid literal, expected 'true' at line 2, column 3 (byte 6)")
        #expect(failure(#"{"n": 1e999}"#)?.message == "number 1e999 is out of range")
        #expect(failure(#""\q""#)?.message == #"invalid escape '\q'"#)
    }

    @Test("a later duplicate's value is checked here but never looked at by JSONDecoder: a known difference")
    func duplicateValuesAreValidated() {
        let text = #"{"a":1,"a":1e400}"#
        #expect(ReferenceJSON.decode(Array(text.utf8)) == ["a": 1])
        #expect(failure(text)?.code == .numberOutOfRange)
    }
}

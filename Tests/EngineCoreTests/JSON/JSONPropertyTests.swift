import Foundation
import PropertyBased
import Testing

@testable import EngineCore

/// The byte-level parser and writer against Foundation's coders, on generated values and texts.
@Suite("JSON parser and writer match JSONDecoder and JSONEncoder")
struct JSONPropertyTests {
    @Test("writing a generated value gives JSONEncoder's bytes, and parsing them gives JSONDecoder's value")
    func generatedValues() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...1_000_000).array(of: 1...40)) { codes in
            var generator = JSONGenerator(codes)
            let value = generator.value()
            let written = try #require(try? JSONValueWriter.bytes(value))
            #expect(written == ReferenceJSON.encode(value), "\(String(decoding: written, as: UTF8.self))")
            let reference = try #require(ReferenceJSON.decode(written))
            let parsed = try JSONValueParser.parse(written)
            #expect(strictDump(parsed) == strictDump(reference))
            // After one round the form is stable (the first can turn -0.0 into 0 and 1.0 into 1).
            let again = try JSONValueWriter.bytes(parsed)
            #expect(strictDump(try JSONValueParser.parse(again)) == strictDump(parsed))
        }
    }

    @Test("generated JSON texts, some malformed, are accepted and read exactly as JSONDecoder reads them")
    func generatedTexts() async {
        await propertyCheck(count: 600, input: Gen.int(in: 0...1_000_000).array(of: 1...40)) { codes in
            var generator = JSONGenerator(codes)
            let text = generator.text()
            let bytes = Array(text.utf8)
            let reference = ReferenceJSON.decode(bytes)
            let parsed = try? JSONValueParser.parse(bytes)
            #expect(parsed.map(strictDump) == reference.map(strictDump), "\(text.debugDescription)")
        }
    }

    @Test("random number spellings become the same int, double or error as through JSONDecoder")
    func numberSpellings() async {
        let digits = Gen.int(in: 0...9).array(of: 1...24)
        await propertyCheck(
            count: 1500,
            input: Gen.int(in: 0...7), digits, digits, Gen.int(in: -340...340)
        ) { shape, whole, fraction, exponent in
            var text = shape & 1 == 1 ? "-" : ""
            let integer = whole.drop { $0 == 0 }.map(String.init).joined()
            text += integer.isEmpty ? "0" : integer
            if shape & 2 == 2 { text += "." + fraction.map(String.init).joined() }
            if shape & 4 == 4 { text += "e\(exponent)" }
            let reference = ReferenceJSON.decode(Array(text.utf8))
            let parsed = try? JSONValueParser.parse(Array(text.utf8))
            #expect(parsed.map(strictDump) == reference.map(strictDump), "\(text)")
        }
    }

    @Test("numbers near 2^53 and 2^63, where JSONDecoder switches to Decimal, agree")
    func numbersAtTheEdges() async {
        await propertyCheck(
            count: 1000, input: Gen.int64(in: -(1 << 62)...(1 << 62)), Gen.int(in: 0...5), Gen.int(in: 0...3)
        ) { offset, form, shift in
            let base: Int64 = [1 << 53, Int64.max - (1 << 20), 1 << 62, 1 << 60][shift]
            let number = base &+ offset / (1 << 10)
            let text: String
            switch form {
            case 0: text = "\(number)"
            case 1: text = "\(number).0"
            case 2: text = "\(number).5"
            case 3: text = "\(number)0e-1"
            case 4: text = "\(number / 100)e2"
            default: text = "-\(number).25"
            }
            let reference = ReferenceJSON.decode(Array(text.utf8))
            let parsed = try? JSONValueParser.parse(Array(text.utf8))
            #expect(parsed.map(strictDump) == reference.map(strictDump), "\(text)")
        }
    }

    @Test("mangled texts (bytes cut, replaced or dropped) are refused exactly when JSONDecoder refuses them")
    func mangledTexts() async {
        await propertyCheck(
            count: 600, input: Gen.int(in: 0...1_000_000).array(of: 1...30), Gen.int(in: 0...1000), Gen.int(in: 0...255)
        ) { codes, where_, byte in
            var generator = JSONGenerator(codes)
            var bytes = Array(generator.text().utf8)
            guard !bytes.isEmpty else { return }
            let position = where_ % bytes.count
            switch where_ % 3 {
            case 0: bytes.removeSubrange(position...)
            case 1: bytes[position] = UInt8(byte)
            default: bytes.remove(at: position)
            }
            // Inside objects the two can differ on purpose (see `JSONGenerator.text`); compare
            // only documents that have none, and never a trailing comma, which we refuse on purpose.
            guard !bytes.contains(UInt8(ascii: "{")), !Self.hasTrailingComma(bytes) else { return }
            let reference = ReferenceJSON.decode(bytes)
            let parsed = try? JSONValueParser.parse(bytes)
            #expect(
                parsed.map(strictDump) == reference.map(strictDump), "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }

    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        let significant = bytes.filter { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return zip(significant, significant.dropFirst()).contains { $0 == UInt8(ascii: ",") && $1 == UInt8(ascii: "]") }
    }
}

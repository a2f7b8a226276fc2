/// Strings: escapes, surrogate pairs, and UTF-8 validated as it is read, refusing what
/// `JSONDecoder` refuses (raw control characters, bad escapes, lone surrogates, invalid UTF-8).
extension JSONReader {
    /// At the opening quote; returns after the closing one. Strings without escapes, most of
    /// them, are copied once into the `String` and nowhere else.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw controlCharacter(byte) }
            if byte < 0x80 {
                index += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw fail(.unexpectedEnd, "unterminated string", at: start - 1)
    }

    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try appendEscape()
            case 0..<0x20:
                throw controlCharacter(byte)
            case 0x20..<0x80:
                scratch.append(byte)
                index += 1
            default:
                let sequenceStart = index
                try skipUTF8Sequence()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[sequenceStart..<index]))
            }
        }
        throw fail(.unexpectedEnd, "unterminated string", at: start - 1)
    }

    /// At a backslash.
    private mutating func appendEscape() throws(JSONParseError) {
        guard index + 1 < bytes.count else { throw fail(.unexpectedEnd, "unexpected end of input in an escape") }
        let simple: UInt8
        switch bytes[index + 1] {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            try appendUnicodeEscape()
            return
        default:
            throw fail(.invalidEscape, "invalid escape '\\\(string(index + 1..<index + 2))'")
        }
        scratch.append(simple)
        index += 2
    }

    /// At `\u`: one scalar, or a high surrogate that must be followed by `\u` and a low one.
    private mutating func appendUnicodeEscape() throws(JSONParseError) {
        let escape = index
        let unit = try hexUnit(at: escape + 2)
        var scalarValue = UInt32(unit)
        var length = 6
        switch unit {
        case 0xD800...0xDBFF:
            guard escape + 7 < bytes.count, bytes[escape + 6] == UInt8(ascii: "\\"), bytes[escape + 7] == UInt8(ascii: "u")
            else {
                throw fail(.invalidSurrogate, "high surrogate \\u\(hex(unit)) is not followed by a low surrogate", at: escape)
            }
            let low = try hexUnit(at: escape + 8)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw fail(.invalidSurrogate, "high surrogate \\u\(hex(unit)) is followed by \\u\(hex(low))", at: escape)
            }
            scalarValue = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
            length = 12
        case 0xDC00...0xDFFF:
            throw fail(.invalidSurrogate, "low surrogate \\u\(hex(unit)) without a high surrogate before it", at: escape)
        default:
            break
        }
        // Surrogates are excluded above, so every value here is a scalar.
        if let scalar = Unicode.Scalar(scalarValue) {
            UTF8.encode(scalar) { scratch.append($0) }
        }
        index = escape + length
    }

    private func hexUnit(at offset: Int) throws(JSONParseError) -> UInt16 {
        var unit: UInt16 = 0
        for position in offset..<offset + 4 {
            guard position < bytes.count else {
                throw fail(.unexpectedEnd, "unexpected end of input in a \\u escape", at: offset - 2)
            }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw fail(.invalidEscape, "\\u must be followed by four hex digits", at: offset - 2)
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    private func hex(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    private func controlCharacter(_ byte: UInt8) -> JSONParseError {
        fail(.controlCharacterInString, "unescaped control character \(describe(byte)) in a string")
    }

    /// At a byte >= 0x80: one well-formed UTF-8 sequence (Unicode table 3-7: no overlongs, no
    /// surrogates, nothing above U+10FFFF), or an error at its first byte.
    private mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default:
            throw fail(.invalidUTF8, "invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true)) in a string")
        }
        guard index + length <= bytes.count else { throw fail(.invalidUTF8, "truncated UTF-8 sequence in a string") }
        guard secondRange.contains(bytes[index + 1]) else {
            throw fail(.invalidUTF8, "invalid UTF-8 sequence in a string")
        }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            throw fail(.invalidUTF8, "invalid UTF-8 sequence in a string")
        }
        index += length
    }
}

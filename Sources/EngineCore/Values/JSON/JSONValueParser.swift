/// Reads JSON bytes straight into a `Value`, with the meaning `Value.init(from:)` over Foundation's
/// `JSONDecoder` gives them (integers vs doubles, `{"$ts": ms}` instants, first duplicate key
/// wins, UTF-16/32 input, 512 levels of nesting) but without the decoder's intermediate map,
/// its existential containers and per-value allocations: several times faster on ingest.
///
/// Stricter than `JSONDecoder` in one place: it refuses a trailing comma (`[1,]`), which RFC 8259
/// does not allow and `JSONDecoder` silently accepts.
public enum JSONValueParser {
    /// Nesting deeper than this is refused rather than risking the stack on hostile input; the
    /// same limit as `JSONDecoder`, so the same documents pass.
    public static let maximumDepth = 512

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> Value {
        let result = bytes.withUnsafeBufferPointer { parseResult($0) }
        return try result.get()
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> Value {
        let result = bytes.withMemoryRebound(to: UInt8.self) { parseResult($0) }
        return try result.get()
    }

    private static func parseResult(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Value, JSONParseError> {
        let encoding = JSONTextEncoding.detect(bytes)
        if case .utf8(let bomLength) = encoding {
            var reader = JSONReader(bytes: bytes, start: bomLength)
            return Result { () throws(JSONParseError) in try reader.document() }
        }
        guard let utf8 = JSONTextEncoding.transcodeToUTF8(bytes, encoding) else {
            return .failure(
                JSONParseError.at(0, in: bytes, .invalidEncoding, "input looks like UTF-16 or UTF-32 but is not valid in it"))
        }
        return utf8.withUnsafeBufferPointer { converted in
            var reader = JSONReader(bytes: converted, start: 0)
            return Result { () throws(JSONParseError) in try reader.document() }
        }
    }
}

/// The recursive-descent reader over one UTF-8 buffer. Offsets are `Int`s into `bytes`.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    var depth = 0
    /// Reused for strings with escapes, so only the final `String` is allocated.
    var scratch: [UInt8] = []
    /// Fields of the objects being read, innermost last: each object's dictionary is built once
    /// at its exact size instead of growing (and rehashing every key) as fields arrive.
    var pendingFields: [(key: String, value: Value)] = []

    init(bytes: UnsafeBufferPointer<UInt8>, start: Int) {
        self.bytes = bytes
        self.index = start
    }

    mutating func document() throws(JSONParseError) -> Value {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count {
            throw fail(.unexpectedCharacter, "unexpected \(describe(bytes[index])) after the JSON value")
        }
        return value
    }

    mutating func parseValue() throws(JSONParseError) -> Value {
        guard index < bytes.count else { throw fail(.unexpectedEnd, "unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw fail(.unexpectedCharacter, "NaN and Infinity are not JSON numbers")
        default:
            throw fail(.unexpectedCharacter, "unexpected \(describe(bytes[index])), expected a value")
        }
    }

    // MARK: Containers

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONValueParser.maximumDepth {
            throw fail(.tooDeep, "nesting deeper than \(JSONValueParser.maximumDepth) levels")
        }
        index += 1
    }

    private mutating func parseArray() throws(JSONParseError) -> Value {
        try enter()
        defer { depth -= 1 }
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .list([])
        }
        var items: [Value] = []
        while true {
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw fail(.unexpectedEnd, "unexpected end of input in an array") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                let comma = index
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    throw fail(.trailingComma, "trailing comma before ']'", at: comma)
                }
            case UInt8(ascii: "]"):
                index += 1
                return .list(items)
            default:
                throw fail(.unexpectedCharacter, "unexpected \(describe(bytes[index])) in an array, expected ',' or ']'")
            }
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> Value {
        try enter()
        defer { depth -= 1 }
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object([:])
        }
        let firstField = pendingFields.count
        while true {
            guard index < bytes.count else { throw fail(.unexpectedEnd, "unexpected end of input in an object") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw fail(.unexpectedCharacter, "unexpected \(describe(bytes[index])) in an object, expected a string key")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count else { throw fail(.unexpectedEnd, "unexpected end of input after a key") }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw fail(.unexpectedCharacter, "unexpected \(describe(bytes[index])) after a key, expected ':'")
            }
            index += 1
            skipWhitespace()
            pendingFields.append((key, try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw fail(.unexpectedEnd, "unexpected end of input in an object") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                let comma = index
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    throw fail(.trailingComma, "trailing comma before '}'", at: comma)
                }
            case UInt8(ascii: "}"):
                index += 1
                return takeObject(from: firstField)
            default:
                throw fail(.unexpectedCharacter, "unexpected \(describe(bytes[index])) in an object, expected ',' or '}'")
            }
        }
    }

    private mutating func takeObject(from first: Int) -> Value {
        var fields: [String: Value] = Dictionary(minimumCapacity: pendingFields.count - first)
        for (key, value) in pendingFields[first...] {
            // JSONDecoder keeps the first of duplicate keys.
            if let earlier = fields.updateValue(value, forKey: key) { fields[key] = earlier }
        }
        pendingFields.removeSubrange(first...)
        return Self.object(fields)
    }

    /// `{"$ts": ms}` and `{"$ms": ms}` with an integer are the encoded instants and spans.
    private static func object(_ fields: [String: Value]) -> Value {
        if fields.count == 1, let (key, inner) = fields.first, case .int(let milliseconds) = inner {
            if key == "$ts" { return .timestamp(Timestamp(milliseconds: milliseconds)) }
            if key == "$ms" { return .span(TimeSpan(milliseconds: milliseconds)) }
        }
        return .object(fields)
    }

    // MARK: Scalars

    private mutating func literal(_ word: StaticString, _ value: Value) throws(JSONParseError) -> Value {
        let count = word.utf8CodeUnitCount
        let text = word.utf8Start
        for offset in 0..<count {
            guard index + offset < bytes.count else {
                throw fail(.unexpectedEnd, "unexpected end of input in '\(word)'", at: index + offset)
            }
            guard bytes[index + offset] == text[offset] else {
                throw fail(.unexpectedCharacter, "invalid literal, expected '\(word)'")
            }
        }
        index += count
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> Value {
        let start = index
        // JSONDecoder reads this whole run as one number token, so "1-2" is one bad number.
        while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
        let text = start..<index
        guard let number = grammar(text) else {
            if text.count == 1, index < bytes.count, bytes[index] == UInt8(ascii: "I") {
                throw fail(.invalidNumber, "-Infinity is not a JSON number", at: start)
            }
            throw fail(.invalidNumber, "invalid number '\(string(text))'", at: start)
        }
        guard let value = number.value(in: bytes, text: text) else {
            throw fail(.numberOutOfRange, "number \(string(text)) is out of range", at: start)
        }
        return value
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            true
        default: false
        }
    }

    /// RFC 8259: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, covering the whole run.
    private func grammar(_ text: Range<Int>) -> JSONNumber? {
        var cursor = text.lowerBound
        let end = text.upperBound
        func digits() -> Range<Int> {
            let first = cursor
            while cursor < end, bytes[cursor] >= UInt8(ascii: "0"), bytes[cursor] <= UInt8(ascii: "9") { cursor += 1 }
            return first..<cursor
        }
        let negative = cursor < end && bytes[cursor] == UInt8(ascii: "-")
        if negative { cursor += 1 }
        let integer = digits()
        guard !integer.isEmpty, integer.count == 1 || bytes[integer.lowerBound] != UInt8(ascii: "0") else { return nil }
        var fraction = cursor..<cursor
        if cursor < end, bytes[cursor] == UInt8(ascii: ".") {
            cursor += 1
            fraction = digits()
            guard !fraction.isEmpty else { return nil }
        }
        var exponent = cursor..<cursor
        var exponentNegative = false
        if cursor < end, bytes[cursor] | 0x20 == UInt8(ascii: "e") {
            cursor += 1
            if cursor < end, bytes[cursor] == UInt8(ascii: "-") || bytes[cursor] == UInt8(ascii: "+") {
                exponentNegative = bytes[cursor] == UInt8(ascii: "-")
                cursor += 1
            }
            exponent = digits()
            guard !exponent.isEmpty else { return nil }
        }
        guard cursor == end else { return nil }
        return JSONNumber(
            negative: negative, integer: integer, fraction: fraction, exponent: exponent,
            exponentNegative: exponentNegative)
    }

    // MARK: Whitespace and errors

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    func fail(_ code: JSONParseError.Code, _ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError.at(offset ?? index, in: bytes, code, message)
    }

    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range.prefix(40)]), as: UTF8.self)
    }
}

/// Why a JSON text could not be read, and where: byte offset into the input as given, and the
/// 1-based line and column (columns count Unicode scalars, not bytes) for people reading the text.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable reason; new codes may be added.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let unexpectedEnd = Code(rawValue: "unexpected_end")
        public static let unexpectedCharacter = Code(rawValue: "unexpected_character")
        public static let invalidNumber = Code(rawValue: "invalid_number")
        public static let numberOutOfRange = Code(rawValue: "number_out_of_range")
        public static let invalidEscape = Code(rawValue: "invalid_escape")
        public static let invalidSurrogate = Code(rawValue: "invalid_surrogate")
        public static let controlCharacterInString = Code(rawValue: "control_character_in_string")
        public static let invalidUTF8 = Code(rawValue: "invalid_utf8")
        public static let invalidEncoding = Code(rawValue: "invalid_encoding")
        public static let tooDeep = Code(rawValue: "too_deep")
        public static let trailingComma = Code(rawValue: "trailing_comma")
    }

    public var code: Code
    public var message: String
    /// Offset of the offending byte in the input (after any UTF-16/32 input was converted to UTF-8).
    public var byteOffset: Int
    public var line: Int
    public var column: Int

    public init(code: Code, message: String, byteOffset: Int, line: Int, column: Int) {
        self.code = code
        self.message = message
        self.byteOffset = byteOffset
        self.line = line
        self.column = column
    }

    public var description: String { "\(message) at line \(line), column \(column) (byte \(byteOffset))" }

    /// Line and column are worked out only when an error is raised: the happy path never counts lines.
    static func at(
        _ offset: Int, in bytes: UnsafeBufferPointer<UInt8>, _ code: Code, _ message: String
    ) -> JSONParseError {
        var line = 1
        var column = 1
        for index in 0..<min(offset, bytes.count) {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(code: code, message: message, byteOffset: offset, line: line, column: column)
    }
}

/// Why a value cannot be written as JSON: only non-finite numbers, which JSON cannot express.
public struct JSONWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var value: Double
    public var description: String { "\(value) cannot be written as a JSON number" }

    public init(value: Double) { self.value = value }

    public static func == (lhs: JSONWriteError, rhs: JSONWriteError) -> Bool {
        lhs.value.bitPattern == rhs.value.bitPattern
    }
}

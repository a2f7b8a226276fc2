import EngineCore

/// Why an incoming record cannot be processed. Sent with the record to the dead-letter topic
/// (`nudge-error-code` and `nudge-error` headers) and counted by `code`.
public struct DeadLetterReason: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func tooLarge(_ size: Int, limit: Int) -> Self {
        Self(code: "too_large", message: "event of \(size) bytes exceeds the limit of \(limit) bytes")
    }

    /// The parser's reason and place, e.g. `body is not valid JSON: trailing comma before ']' at
    /// line 1, column 12 (byte 11)`.
    static func notJSON(_ error: JSONParseError) -> Self {
        Self(code: "not_json", message: "body is not valid JSON: \(error)")
    }
    static let notObject = Self(code: "not_object", message: "body is JSON but not an object")

    static func format(_ error: SegmentFormatError) -> Self {
        Self(code: error.code.rawValue, message: error.message)
    }
}

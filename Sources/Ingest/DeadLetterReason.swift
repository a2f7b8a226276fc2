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

    static let notJSON = Self(code: "not_json", message: "body is not valid UTF-8 JSON")
    static let notObject = Self(code: "not_object", message: "body is JSON but not an object")

    static func format(_ error: SegmentFormatError) -> Self {
        Self(code: error.code.rawValue, message: error.message)
    }
}

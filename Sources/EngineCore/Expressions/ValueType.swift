/// Static type of an expression. Profile attributes and event properties are schemaless, so
/// their paths are `any`; errors are reported where both sides are known and cannot combine.
public enum ValueType: String, Sendable, Equatable, CustomStringConvertible {
    case any
    case null
    case bool = "boolean"
    case number
    case string
    case timestamp
    case span = "duration"
    case list
    case object

    public var description: String { rawValue }

    static func of(_ value: Value) -> ValueType {
        switch value {
        case .null: .null
        case .bool: .bool
        case .int, .double: .number
        case .string: .string
        case .timestamp: .timestamp
        case .span: .span
        case .list: .list
        case .object: .object
        }
    }

    /// Whether a value of this type may be used where `expected` is needed.
    func fits(_ expected: ValueType) -> Bool {
        self == expected || self == .any || self == .null || expected == .any
    }

    /// Strings may hold ISO-8601 instants, so they fit where a timestamp is expected.
    var isUnknownOrString: Bool { self == .any || self == .null || self == .string }
}

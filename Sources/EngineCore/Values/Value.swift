/// A dynamic value: event properties, profile attributes, instance variables and expression
/// results. JSON-shaped, plus instants and time spans so expressions can do date arithmetic.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case timestamp(Timestamp)
    case span(TimeSpan)
    case list([Value])
    case object([String: Value])

    /// Member access that never fails: anything but an object yields `.null`.
    @inlinable
    public subscript(member member: String) -> Value {
        if case .object(let fields) = self { return fields[member] ?? .null }
        return .null
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Only `true` is true: null, missing and non-boolean values never satisfy a condition.
    @inlinable
    public var isTrue: Bool {
        if case .bool(true) = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// Instants arrive from JSON as ISO-8601 strings; they become timestamps where one is needed.
    public var asTimestamp: Timestamp? {
        switch self {
        case .timestamp(let value): value
        case .string(let text): ISO8601.parse(text)
        default: nil
        }
    }

    public var asSpan: TimeSpan? {
        switch self {
        case .span(let value): value
        case .string(let text): try? TimeSpan.parse(text).get()
        default: nil
        }
    }

    /// Text used when a value is interpolated into a key, an id or a template variable.
    public var plainText: String {
        switch self {
        case .null: ""
        case .bool(let value): String(value)
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): value
        case .timestamp(let value): ISO8601.format(value)
        case .span(let value): value.formatted
        case .list, .object: jsonText
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension Value {
    /// The value as plain JSON for records other systems read (outbound messages, forwarded
    /// events, content slots, simulator output): instants become ISO-8601 strings and spans
    /// milliseconds, recursively. The core's own encoding keeps them typed; a span shown on its
    /// own (a template's `{{left}}`) reads `2h30m` through `plainText`.
    public var plainJSON: Value {
        switch self {
        case .timestamp(let instant): .string(ISO8601.format(instant))
        case .span(let span): .int(span.milliseconds)
        case .list(let items): .list(items.map(\.plainJSON))
        case .object(let fields): .object(fields.mapValues(\.plainJSON))
        default: self
        }
    }
}

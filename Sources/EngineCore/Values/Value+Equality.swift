/// Equality as JSON sees it: `2` and `2.0` are the same number. This keeps a state equal to
/// itself after a round trip through JSON, where integral doubles come back as integers.
extension Value {
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): Double(a) == b && Int64(exactly: b) == a
        case (.string(let a), .string(let b)): a == b
        case (.timestamp(let a), .timestamp(let b)): a == b
        case (.span(let a), .span(let b)): a == b
        case (.list(let a), .list(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .int(let value): hasher.combine(value)
        case .double(let value):
            if let exact = Int64(exactly: value) { hasher.combine(exact) } else { hasher.combine(value) }
        case .string(let value): hasher.combine(value)
        case .timestamp(let value): hasher.combine(value)
        case .span(let value): hasher.combine(value)
        case .list(let items): hasher.combine(items)
        case .object(let fields): hasher.combine(fields)
        }
    }
}

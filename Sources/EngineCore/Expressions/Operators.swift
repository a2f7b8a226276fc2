/// Run-time semantics of the operators. Null-safe: a missing operand gives null (arithmetic) or
/// false (ordering), never a crash. ISO-8601 strings act as instants next to instants and spans.
enum Operators {
    static func equal(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.int, .double), (.double, .int), (.double, .double): return lhs.number == rhs.number
        case (.timestamp(let a), .string), (.string, .timestamp(let a)):
            return a == (lhs.isTimestamp ? rhs : lhs).asTimestamp
        default: return lhs == rhs
        }
    }

    /// -1, 0, 1, or nil when the values have no order between them.
    static func compare(_ lhs: Value, _ rhs: Value) -> Int? {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return order(a, b)
        case (.int, .double), (.double, .int), (.double, .double):
            guard let a = lhs.number, let b = rhs.number else { return nil }
            return order(a, b)
        case (.string(let a), .string(let b)): return order(a, b)
        case (.span(let a), .span(let b)): return order(a, b)
        case (.timestamp, .timestamp), (.timestamp, .string), (.string, .timestamp):
            guard let a = lhs.asTimestamp, let b = rhs.asTimestamp else { return nil }
            return order(a, b)
        case (.span(let a), .string(let text)):
            return (try? TimeSpan.parse(text).get()).map { order(a, $0) }
        case (.string(let text), .span(let b)):
            return (try? TimeSpan.parse(text).get()).map { order($0, b) }
        default: return nil
        }
    }

    private static func order<T: Comparable>(_ a: T, _ b: T) -> Int {
        a < b ? -1 : (a == b ? 0 : 1)
    }

    static func add(_ lhs: Value, _ rhs: Value) -> Value {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return .int(a &+ b)
        case (.int, .double), (.double, .int), (.double, .double):
            return .double((lhs.number ?? 0) + (rhs.number ?? 0))
        case (.string(let a), .string(let b)): return .string(a + b)
        case (.span(let a), .span(let b)): return .span(TimeSpan(milliseconds: a.milliseconds &+ b.milliseconds))
        case (.span(let span), _): return rhs.asTimestamp.map { .timestamp($0 + span) } ?? .null
        case (_, .span(let span)): return lhs.asTimestamp.map { .timestamp($0 + span) } ?? .null
        default: return .null
        }
    }

    static func subtract(_ lhs: Value, _ rhs: Value) -> Value {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return .int(a &- b)
        case (.int, .double), (.double, .int), (.double, .double):
            return .double((lhs.number ?? 0) - (rhs.number ?? 0))
        case (.span(let a), .span(let b)): return .span(TimeSpan(milliseconds: a.milliseconds &- b.milliseconds))
        case (_, .span(let span)): return lhs.asTimestamp.map { .timestamp($0 - span) } ?? .null
        default:
            guard let a = lhs.asTimestamp, let b = rhs.asTimestamp else { return .null }
            return .span(a - b)
        }
    }

    static func multiply(_ lhs: Value, _ rhs: Value) -> Value {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return .int(a &* b)
        case (.span(let span), _), (_, .span(let span)):
            let factor = (lhs.isSpan ? rhs : lhs).number
            return factor.map { .span(TimeSpan(milliseconds: Int64((Double(span.milliseconds) * $0).rounded()))) }
                ?? .null
        default:
            guard let a = lhs.number, let b = rhs.number else { return .null }
            return .double(a * b)
        }
    }

    static func divide(_ lhs: Value, _ rhs: Value) -> Value {
        switch (lhs, rhs) {
        case (.span(let a), .span(let b)):
            return b.milliseconds == 0 ? .null : .double(Double(a.milliseconds) / Double(b.milliseconds))
        case (.span(let span), _):
            guard let divisor = rhs.number, divisor != 0 else { return .null }
            return .span(TimeSpan(milliseconds: Int64((Double(span.milliseconds) / divisor).rounded())))
        default:
            guard let a = lhs.number, let b = rhs.number, b != 0 else { return .null }
            return .double(a / b)
        }
    }

    static func remainder(_ lhs: Value, _ rhs: Value) -> Value {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return b == 0 ? .null : .int(a % b)
        default:
            guard let a = lhs.number, let b = rhs.number, b != 0 else { return .null }
            return .double(a.truncatingRemainder(dividingBy: b))
        }
    }

    static func contains(_ container: Value, _ item: Value) -> Bool {
        switch container {
        case .string(let text):
            guard case .string(let part) = item else { return false }
            return text.contains(part)
        case .list(let items): return items.contains { equal($0, item) }
        case .object(let fields):
            guard case .string(let key) = item else { return false }
            return fields[key] != nil
        default: return false
        }
    }

    static func negate(_ value: Value) -> Value {
        switch value {
        case .int(let a): .int(0 &- a)
        case .double(let a): .double(-a)
        case .span(let a): .span(TimeSpan(milliseconds: 0 &- a.milliseconds))
        default: .null
        }
    }
}

extension Value {
    var isTimestamp: Bool {
        if case .timestamp = self { return true }
        return false
    }

    var isSpan: Bool {
        if case .span = self { return true }
        return false
    }
}

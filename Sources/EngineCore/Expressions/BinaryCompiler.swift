/// Type rules and closures for binary operators.
enum BinaryCompiler {
    typealias Compiled = Compiler.Compiled

    static func compile(
        _ op: BinaryOperator, _ lhs: Compiled, _ rhs: Compiled, offset: Int
    )
        throws(ExpressionError) -> Compiled
    {
        let type = try resultType(op, lhs.type, rhs.type, offset: offset)
        let a = lhs.evaluator
        let b = rhs.evaluator
        let evaluator: CompiledExpression.Evaluator
        switch op {
        case .and: evaluator = { .bool(a($0).isTrue && b($0).isTrue) }
        case .or: evaluator = { .bool(a($0).isTrue || b($0).isTrue) }
        case .equal:
            if let constant = rhs.constant {
                evaluator = { .bool(Operators.equal(a($0), constant)) }
            } else {
                evaluator = { .bool(Operators.equal(a($0), b($0))) }
            }
        case .notEqual:
            if let constant = rhs.constant {
                evaluator = { .bool(!Operators.equal(a($0), constant)) }
            } else {
                evaluator = { .bool(!Operators.equal(a($0), b($0))) }
            }
        case .less: evaluator = { .bool(Operators.compare(a($0), b($0)).map { $0 < 0 } ?? false) }
        case .lessOrEqual: evaluator = { .bool(Operators.compare(a($0), b($0)).map { $0 <= 0 } ?? false) }
        case .greater: evaluator = { .bool(Operators.compare(a($0), b($0)).map { $0 > 0 } ?? false) }
        case .greaterOrEqual: evaluator = { .bool(Operators.compare(a($0), b($0)).map { $0 >= 0 } ?? false) }
        case .in:
            if case .list(let items)? = rhs.constant, items.allSatisfy({ $0.stringValue != nil }) {
                // A literal list of strings: a set lookup instead of a scan.
                let set = Set(items.compactMap(\.stringValue))
                evaluator = { context in .bool(a(context).stringValue.map(set.contains) ?? false) }
            } else {
                evaluator = { .bool(Operators.contains(b($0), a($0))) }
            }
        case .notIn: evaluator = { .bool(!Operators.contains(b($0), a($0))) }
        case .contains: evaluator = { .bool(Operators.contains(a($0), b($0))) }
        case .startsWith:
            evaluator = { context in
                guard case .string(let text) = a(context), case .string(let prefix) = b(context) else {
                    return .bool(false)
                }
                return .bool(text.hasPrefix(prefix))
            }
        case .endsWith:
            evaluator = { context in
                guard case .string(let text) = a(context), case .string(let suffix) = b(context) else {
                    return .bool(false)
                }
                return .bool(text.hasSuffix(suffix))
            }
        case .add: evaluator = { Operators.add(a($0), b($0)) }
        case .subtract: evaluator = { Operators.subtract(a($0), b($0)) }
        case .multiply: evaluator = { Operators.multiply(a($0), b($0)) }
        case .divide: evaluator = { Operators.divide(a($0), b($0)) }
        case .remainder: evaluator = { Operators.remainder(a($0), b($0)) }
        }
        if lhs.constant != nil, rhs.constant != nil {
            // Both sides known at load: evaluate once (e.g. `2h + 30m`).
            let value = evaluator(EvaluationContext(now: Timestamp(milliseconds: 0)))
            return Compiled(type: type, evaluator: { _ in value }, constant: value)
        }
        return Compiled(type: type, evaluator: evaluator)
    }

    /// The static result type, or a type error when the operand types cannot combine.
    static func resultType(
        _ op: BinaryOperator, _ l: ValueType, _ r: ValueType, offset: Int
    )
        throws(ExpressionError) -> ValueType
    {
        let unknown: Set<ValueType> = [.any, .null]
        func mismatch(_ verb: String) -> ExpressionError {
            ExpressionError(.type, at: offset, "'\(op.rawValue)' cannot \(verb) \(l) and \(r)")
        }
        switch op {
        case .and, .or:
            for side in [l, r] where !side.fits(.bool) {
                throw ExpressionError(.type, at: offset, "'\(op.rawValue)' needs booleans, got \(side)")
            }
            return .bool
        case .equal, .notEqual:
            if unknown.contains(l) || unknown.contains(r) || l == r { return .bool }
            if Set([l, r]) == [.timestamp, .string] { return .bool }
            throw mismatch("compare")
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let ordered: Set<ValueType> = [.number, .string, .timestamp, .span, .any, .null]
            guard ordered.contains(l), ordered.contains(r) else { throw mismatch("order") }
            if unknown.contains(l) || unknown.contains(r) || l == r { return .bool }
            if Set([l, r]) == [.timestamp, .string] || Set([l, r]) == [.span, .string] { return .bool }
            throw mismatch("compare")
        case .in, .notIn:
            guard [.list, .object, .string, .any, .null].contains(r) else {
                throw ExpressionError(.type, at: offset, "'\(op.rawValue)' needs a list on its right, got \(r)")
            }
            return .bool
        case .contains:
            guard [.list, .object, .string, .any, .null].contains(l) else {
                throw ExpressionError(.type, at: offset, "'contains' needs a string or a list on its left, got \(l)")
            }
            return .bool
        case .startsWith, .endsWith:
            for side in [l, r] where !side.fits(.string) {
                throw ExpressionError(.type, at: offset, "'\(op.rawValue)' needs strings, got \(side)")
            }
            return .bool
        case .add:
            return try arithmetic(
                l, r,
                known: [
                    [.number, .number]: .number, [.string, .string]: .string, [.span, .span]: .span,
                    [.timestamp, .span]: .timestamp, [.span, .timestamp]: .timestamp,
                ], mismatch: mismatch("add"))
        case .subtract:
            return try arithmetic(
                l, r,
                known: [
                    [.number, .number]: .number, [.span, .span]: .span, [.timestamp, .span]: .timestamp,
                    [.timestamp, .timestamp]: .span, [.string, .span]: .timestamp, [.timestamp, .string]: .span,
                    [.string, .timestamp]: .span,
                ], mismatch: mismatch("subtract"))
        case .multiply:
            return try arithmetic(
                l, r,
                known: [
                    [.number, .number]: .number, [.span, .number]: .span, [.number, .span]: .span,
                ], mismatch: mismatch("multiply"))
        case .divide:
            return try arithmetic(
                l, r,
                known: [
                    [.number, .number]: .number, [.span, .number]: .span, [.span, .span]: .number,
                ], mismatch: mismatch("divide"))
        case .remainder:
            return try arithmetic(l, r, known: [[.number, .number]: .number], mismatch: mismatch("divide"))
        }
    }

    private static func arithmetic(
        _ l: ValueType, _ r: ValueType, known: [[ValueType]: ValueType], mismatch: ExpressionError
    ) throws(ExpressionError) -> ValueType {
        if let type = known[[l, r]] { return type }
        let operandTypes = Set(known.keys.flatMap { $0 })
        // With one side unknown, the other side must still be something this operator accepts.
        if [.any, .null].contains(l), operandTypes.contains(r) || [.any, .null].contains(r) { return .any }
        if [.any, .null].contains(r), operandTypes.contains(l) { return .any }
        throw mismatch
    }
}

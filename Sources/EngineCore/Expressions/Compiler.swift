/// Type-checks a syntax tree and turns it into nested closures in one pass.
struct Compiler {
    struct Compiled {
        var type: ValueType
        var evaluator: CompiledExpression.Evaluator
        /// Set when the value is known at load time; lets operators fold constants.
        var constant: Value?
    }

    let scope: ExpressionScope

    func compile(_ tree: SyntaxTree) throws(ExpressionError) -> Compiled {
        switch tree {
        case .literal(let value, _):
            return Compiled(type: ValueType.of(value), evaluator: { _ in value }, constant: value)
        case .list(let items, _):
            let compiled = try items.map { (item) throws(ExpressionError) in try compile(item) }
            let evaluators = compiled.map(\.evaluator)
            if compiled.allSatisfy({ $0.constant != nil }) {
                let value = Value.list(compiled.compactMap(\.constant))
                return Compiled(type: .list, evaluator: { _ in value }, constant: value)
            }
            return Compiled(type: .list, evaluator: { context in .list(evaluators.map { $0(context) }) })
        case .path(let root, let segments, let offset):
            return try PathCompiler(scope: scope, compiler: self).compile(
                root: root, segments: segments, offset: offset)
        case .unary(let op, let operand, let offset):
            return try unary(op, try compile(operand), offset: offset)
        case .binary(let op, let lhs, let rhs, let offset):
            return try BinaryCompiler.compile(op, try compile(lhs), try compile(rhs), offset: offset)
        case .call(let name, let arguments, let offset):
            let compiled = try arguments.map { (argument) throws(ExpressionError) in try compile(argument) }
            return try Functions.compile(name, compiled, offset: offset)
        }
    }

    private func unary(_ op: UnaryOperator, _ operand: Compiled, offset: Int) throws(ExpressionError) -> Compiled {
        let inner = operand.evaluator
        switch op {
        case .not:
            guard operand.type.fits(.bool) else {
                throw ExpressionError(.type, at: offset, "'not' needs a boolean, got \(operand.type)")
            }
            return Compiled(type: .bool, evaluator: { .bool(!inner($0).isTrue) })
        case .negate:
            guard [.any, .null, .number, .span].contains(operand.type) else {
                throw ExpressionError(.type, at: offset, "'-' needs a number or a duration, got \(operand.type)")
            }
            if let constant = operand.constant {
                let value = Operators.negate(constant)
                return Compiled(type: operand.type, evaluator: { _ in value }, constant: value)
            }
            return Compiled(type: operand.type, evaluator: { Operators.negate(inner($0)) })
        }
    }
}

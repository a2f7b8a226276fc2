/// Built-in functions: `lower`, `upper`, `length`, `exists`, `coalesce`, `timestamp`, `string`,
/// `number`, `days`, `hours`, `minutes`, `pluck`.
enum Functions {
    typealias Compiled = Compiler.Compiled

    private struct Signature {
        var parameters: [ValueType]
        var variadic = false
        var result: ValueType
        var apply: @Sendable ([Value]) -> Value
    }

    private static let table: [String: Signature] = [
        "lower": Signature(parameters: [.string], result: .string) { args in
            args[0].stringValue.map { .string($0.lowercased()) } ?? .null
        },
        "upper": Signature(parameters: [.string], result: .string) { args in
            args[0].stringValue.map { .string($0.uppercased()) } ?? .null
        },
        "length": Signature(parameters: [.any], result: .number) { args in
            switch args[0] {
            case .string(let text): .int(Int64(text.count))
            case .list(let items): .int(Int64(items.count))
            case .object(let fields): .int(Int64(fields.count))
            default: .null
            }
        },
        "exists": Signature(parameters: [.any], result: .bool) { args in .bool(!args[0].isNull) },
        "coalesce": Signature(parameters: [.any], variadic: true, result: .any) { args in
            args.first { !$0.isNull } ?? .null
        },
        "timestamp": Signature(parameters: [.any], result: .timestamp) { args in
            args[0].asTimestamp.map(Value.timestamp) ?? .null
        },
        "string": Signature(parameters: [.any], result: .string) { args in
            args[0].isNull ? .null : .string(args[0].plainText)
        },
        "number": Signature(parameters: [.any], result: .number) { args in
            switch args[0] {
            case .int, .double: args[0]
            case .string(let text): Int64(text).map(Value.int) ?? Double(text).map(Value.double) ?? .null
            default: .null
            }
        },
        // pluck(event.properties.products, "category"): one field of every object in a list.
        "pluck": Signature(parameters: [.list, .string], result: .list) { args in
            guard case .list(let items) = args[0], case .string(let field) = args[1] else { return .null }
            return .list(items.map { $0[member: field] })
        },
        "days": Signature(parameters: [.number], result: .span) { args in span(args[0], unit: 86_400_000) },
        "hours": Signature(parameters: [.number], result: .span) { args in span(args[0], unit: 3_600_000) },
        "minutes": Signature(parameters: [.number], result: .span) { args in span(args[0], unit: 60_000) },
    ]

    private static func span(_ value: Value, unit: Double) -> Value {
        value.number.map { .span(TimeSpan(milliseconds: Int64(($0 * unit).rounded()))) } ?? .null
    }

    static func compile(_ name: String, _ arguments: [Compiled], offset: Int) throws(ExpressionError) -> Compiled {
        guard let signature = table[name] else {
            let hint = Suggestion.hint(for: name, among: table.keys.sorted())
            throw ExpressionError(.type, at: offset, "unknown function '\(name)'\(hint)")
        }
        let arityOK =
            signature.variadic
            ? arguments.count >= signature.parameters.count
            : arguments.count == signature.parameters.count
        guard arityOK else {
            throw ExpressionError(
                .type, at: offset,
                "'\(name)' takes \(signature.parameters.count)\(signature.variadic ? " or more" : "") argument(s), "
                    + "got \(arguments.count)")
        }
        for (argument, expected) in zip(arguments, signature.parameters) where !argument.type.fits(expected) {
            throw ExpressionError(.type, at: offset, "'\(name)' needs a \(expected), got \(argument.type)")
        }
        let evaluators = arguments.map(\.evaluator)
        let apply = signature.apply
        if evaluators.count == 1, let only = evaluators.first {
            return Compiled(type: signature.result, evaluator: { apply([only($0)]) })
        }
        return Compiled(type: signature.result, evaluator: { context in apply(evaluators.map { $0(context) }) })
    }
}

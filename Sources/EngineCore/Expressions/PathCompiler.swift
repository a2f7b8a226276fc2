/// Compiles `event.properties.status`, `profile.first_name`, `instance.application_id`,
/// `params.reminder_after`, `now`. Unknown roots and fields are load-time errors.
struct PathCompiler {
    let scope: ExpressionScope
    let compiler: Compiler

    static let roots = ["event", "profile", "instance", "params", "now"]
    static let eventFields: [String: ValueType] = [
        "properties": .object, "traits": .object, "name": .string, "type": .string, "timestamp": .timestamp,
        "user_id": .string, "anonymous_id": .string, "message_id": .string,
    ]

    func compile(root: String, segments: [PathSegment], offset: Int) throws(ExpressionError) -> Compiler.Compiled {
        switch root {
        case "now":
            guard segments.isEmpty else {
                throw ExpressionError(.syntax, at: offset, "'now' has no fields")
            }
            return Compiler.Compiled(type: .timestamp, evaluator: { .timestamp($0.now) })
        case "event":
            return try event(segments, offset: offset)
        case "profile":
            guard case .member(let name, _)? = segments.first else {
                throw ExpressionError(.syntax, at: offset, "use 'profile.<attribute>'")
            }
            return try rest(segments.dropFirst(), type: .any) { $0.profile[name] ?? .null }
        case "instance":
            return try instance(segments, offset: offset)
        case "params":
            guard case .member(let name, let nameOffset)? = segments.first else {
                throw ExpressionError(.syntax, at: offset, "use 'params.<name>'")
            }
            guard let value = scope.params[name] else {
                let hint = Suggestion.hint(for: name, among: scope.params.keys.sorted())
                throw ExpressionError(.type, at: nameOffset, "unknown parameter '\(name)'\(hint)")
            }
            if segments.count == 1 {
                return Compiler.Compiled(type: ValueType.of(value), evaluator: { _ in value }, constant: value)
            }
            return try rest(segments.dropFirst(), type: .any) { _ in value }
        default:
            let hint = Suggestion.hint(for: root, among: PathCompiler.roots)
            throw ExpressionError(
                .type, at: offset,
                "unknown name '\(root)'\(hint); paths start with event, profile, instance, params or now")
        }
    }

    private func event(_ segments: [PathSegment], offset: Int) throws(ExpressionError) -> Compiler.Compiled {
        guard scope.hasEvent else {
            throw ExpressionError(.type, at: offset, "no event here: this expression is not evaluated on an event")
        }
        guard case .member(let field, let fieldOffset)? = segments.first, let type = PathCompiler.eventFields[field]
        else {
            var name = ""
            if case .member(let field, _)? = segments.first { name = field }
            let hint = Suggestion.hint(for: name, among: PathCompiler.eventFields.keys.sorted())
            throw ExpressionError(
                .type, at: offset, "unknown event field '\(name)'\(hint); use event.properties.<name>, event.name, ...")
        }
        _ = fieldOffset
        let remaining = segments.dropFirst()
        switch field {
        case "properties":
            // The hot path: one member below properties, without the generic fold.
            if remaining.count == 1, case .member(let name, _)? = remaining.first {
                return Compiler.Compiled(type: .any, evaluator: { $0.event?.properties[name] ?? .null })
            }
            return try rest(remaining, type: .object) { context in context.event.map { .object($0.properties) } ?? .null
            }
        case "traits":
            return try rest(remaining, type: .object) { context in context.event.map { .object($0.traits) } ?? .null }
        case "name": return try rest(remaining, type: type) { $0.event.map { .string($0.name) } ?? .null }
        case "type": return try rest(remaining, type: type) { $0.event.map { .string($0.kind.rawValue) } ?? .null }
        case "timestamp": return try rest(remaining, type: type) { $0.event.map { .timestamp($0.timestamp) } ?? .null }
        case "user_id": return try rest(remaining, type: type) { $0.event?.userId.map(Value.string) ?? .null }
        case "anonymous_id": return try rest(remaining, type: type) { $0.event?.anonymousId.map(Value.string) ?? .null }
        default: return try rest(remaining, type: type) { $0.event.map { .string($0.messageId) } ?? .null }
        }
    }

    private func instance(_ segments: [PathSegment], offset: Int) throws(ExpressionError) -> Compiler.Compiled {
        guard case .member(let name, let nameOffset)? = segments.first else {
            throw ExpressionError(.syntax, at: offset, "use 'instance.<variable>'")
        }
        var type = ValueType.any
        if let known = scope.instanceVariables {
            guard let declared = known[name] else {
                let hint = Suggestion.hint(for: name, among: known.keys.sorted())
                throw ExpressionError(
                    .type, at: nameOffset, "unknown instance variable '\(name)'\(hint); declare it under 'vars'")
            }
            type = declared
        }
        let remaining = segments.dropFirst()
        switch name {
        case "id": return try rest(remaining, type: .string) { $0.instanceId.map(Value.string) ?? .null }
        case "key": return try rest(remaining, type: .string) { $0.instanceKey.map(Value.string) ?? .null }
        case "started_at":
            return try rest(remaining, type: .timestamp) { $0.instanceStartedAt.map(Value.timestamp) ?? .null }
        default: return try rest(remaining, type: type) { $0.instanceVars[name] ?? .null }
        }
    }

    /// Applies the remaining `.member` / `[index]` segments to a root accessor.
    private func rest(
        _ segments: ArraySlice<PathSegment>, type: ValueType, root: @escaping CompiledExpression.Evaluator
    ) throws(ExpressionError) -> Compiler.Compiled {
        guard !segments.isEmpty else { return Compiler.Compiled(type: type, evaluator: root) }
        var evaluator = root
        for segment in segments {
            let base = evaluator
            switch segment {
            case .member(let name, _):
                evaluator = { base($0)[member: name] }
            case .index(let tree):
                let index = try compiler.compile(tree).evaluator
                evaluator = { context in Self.subscriptValue(base(context), index(context)) }
            }
        }
        return Compiler.Compiled(type: .any, evaluator: evaluator)
    }

    static func subscriptValue(_ container: Value, _ index: Value) -> Value {
        switch (container, index) {
        case (.object(let fields), .string(let key)): return fields[key] ?? .null
        case (.list(let items), .int(let position)):
            let resolved = position < 0 ? Int64(items.count) + position : position
            return resolved >= 0 && resolved < items.count ? items[Int(resolved)] : .null
        default: return .null
        }
    }
}

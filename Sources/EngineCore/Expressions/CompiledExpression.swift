/// A parsed, type-checked expression compiled to a closure tree: evaluating it never re-parses.
public struct CompiledExpression: Sendable, CustomStringConvertible {
    @usableFromInline typealias Evaluator = @Sendable (EvaluationContext) -> Value

    public let source: String
    public let type: ValueType
    @usableFromInline let evaluator: Evaluator

    init(source: String, type: ValueType, evaluator: @escaping Evaluator) {
        self.source = source
        self.type = type
        self.evaluator = evaluator
    }

    @inlinable
    public func evaluate(_ context: EvaluationContext) -> Value {
        evaluator(context)
    }

    /// For conditions: only a boolean `true` passes.
    @inlinable
    public func holds(_ context: EvaluationContext) -> Bool {
        evaluator(context).isTrue
    }

    public var description: String { source }

    /// Parses, checks and compiles `source` for the given scope.
    public static func compile(
        _ source: String, scope: ExpressionScope = ExpressionScope()
    )
        throws(ExpressionError) -> CompiledExpression
    {
        let tree = try Parser.parse(source)
        let compiled = try Compiler(scope: scope).compile(tree)
        return CompiledExpression(source: source, type: compiled.type, evaluator: compiled.evaluator)
    }

    /// A constant, e.g. a literal written directly in YAML (`priority: 5`).
    public static func constant(_ value: Value) -> CompiledExpression {
        CompiledExpression(source: value.plainText, type: ValueType.of(value), evaluator: { _ in value })
    }
}

/// What names an expression may use where it is written.
public struct ExpressionScope: Sendable {
    /// `false` where no event exists (date triggers): `event.` is then an error.
    public var hasEvent: Bool
    /// Declared parameters, with their literal values (their types are known statically).
    public var params: [String: Value]
    /// Known instance variables and their types; `nil` allows any name (used outside scenarios).
    public var instanceVariables: [String: ValueType]?

    public init(hasEvent: Bool = true, params: [String: Value] = [:], instanceVariables: [String: ValueType]? = nil) {
        self.hasEvent = hasEvent
        self.params = params
        self.instanceVariables = instanceVariables
    }

    /// Variables every instance has.
    public static let builtInInstanceVariables: [String: ValueType] = [
        "id": .string, "key": .string, "started_at": .timestamp, "last_message_id": .string,
    ]
}

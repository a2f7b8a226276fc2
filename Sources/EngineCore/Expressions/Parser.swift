/// Recursive-descent parser. Precedence, lowest first: `or`, `and`, `not`, comparisons and
/// tests (`==`, `<`, `in`, `contains`, ...), `+ -`, `* / %`, unary minus, member access.
struct Parser {
    /// Limits that keep a hostile expression (a deploy from the admin API, a fuzzer's input) from
    /// exhausting the stack of the parser, compiler or evaluator, which all recurse on the tree:
    /// rule expressions are a few dozen tokens and nest a few levels.
    static let maxTokens = 1_000
    static let maxNesting = 64

    private var tokens: [PositionedToken]
    private var position = 0
    private var nesting = 0

    static func parse(_ source: String) throws(ExpressionError) -> SyntaxTree {
        let tokens = try Lexer.tokenize(source)
        guard tokens.count <= maxTokens else {
            throw ExpressionError(
                .syntax, at: tokens[maxTokens].offset, "expression too long (more than \(maxTokens) tokens)")
        }
        var parser = Parser(tokens: tokens)
        let tree = try parser.orExpression()
        guard parser.current.token == .end else {
            throw ExpressionError(
                .syntax, at: parser.current.offset, "unexpected \(parser.describe(parser.current.token))")
        }
        return tree
    }

    private init(tokens: [PositionedToken]) {
        self.tokens = tokens
    }

    private var current: PositionedToken { tokens[position] }

    private mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    private func isWord(_ word: String) -> Bool { current.token == .identifier(word) }
    private func isSymbol(_ symbol: String) -> Bool { current.token == .symbol(symbol) }

    /// Called on every way the grammar recurses: parentheses, arguments, `not`, unary minus.
    private mutating func descend() throws(ExpressionError) {
        nesting += 1
        guard nesting <= Self.maxNesting else {
            throw ExpressionError(
                .syntax, at: current.offset, "expression nested too deeply (over \(Self.maxNesting) levels)")
        }
    }

    private mutating func orExpression() throws(ExpressionError) -> SyntaxTree {
        try descend()
        defer { nesting -= 1 }
        var lhs = try andExpression()
        while isWord("or") || isSymbol("||") {
            let offset = current.offset
            advance()
            lhs = .binary(.or, lhs, try andExpression(), offset: offset)
        }
        return lhs
    }

    private mutating func andExpression() throws(ExpressionError) -> SyntaxTree {
        var lhs = try notExpression()
        while isWord("and") || isSymbol("&&") {
            let offset = current.offset
            advance()
            lhs = .binary(.and, lhs, try notExpression(), offset: offset)
        }
        return lhs
    }

    private mutating func notExpression() throws(ExpressionError) -> SyntaxTree {
        if isWord("not") || isSymbol("!") {
            let offset = current.offset
            advance()
            try descend()
            defer { nesting -= 1 }
            return .unary(.not, try notExpression(), offset: offset)
        }
        return try comparison()
    }

    private static let comparisonSymbols: [String: BinaryOperator] = [
        "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
    ]
    private static let comparisonWords: [String: BinaryOperator] = [
        "in": .in, "contains": .contains, "starts_with": .startsWith, "ends_with": .endsWith,
    ]

    private mutating func comparison() throws(ExpressionError) -> SyntaxTree {
        let lhs = try additive()
        let offset = current.offset
        let op: BinaryOperator
        switch current.token {
        case .symbol(let symbol) where Parser.comparisonSymbols[symbol] != nil:
            op = Parser.comparisonSymbols[symbol] ?? .equal
            advance()
        case .identifier(let word) where Parser.comparisonWords[word] != nil:
            op = Parser.comparisonWords[word] ?? .in
            advance()
        case .identifier("not"):
            advance()
            guard isWord("in") else {
                throw ExpressionError(.syntax, at: current.offset, "expected 'in' after 'not'")
            }
            advance()
            op = .notIn
        default:
            return lhs
        }
        let rhs = try additive()
        if case .symbol(let symbol) = current.token, Parser.comparisonSymbols[symbol] != nil {
            throw ExpressionError(
                .syntax, at: current.offset, "comparisons do not chain; combine them with 'and'")
        }
        return .binary(op, lhs, rhs, offset: offset)
    }

    private mutating func additive() throws(ExpressionError) -> SyntaxTree {
        var lhs = try multiplicative()
        while isSymbol("+") || isSymbol("-") {
            let op: BinaryOperator = isSymbol("+") ? .add : .subtract
            let offset = current.offset
            advance()
            lhs = .binary(op, lhs, try multiplicative(), offset: offset)
        }
        return lhs
    }

    private mutating func multiplicative() throws(ExpressionError) -> SyntaxTree {
        var lhs = try unary()
        while isSymbol("*") || isSymbol("/") || isSymbol("%") {
            let op: BinaryOperator = isSymbol("*") ? .multiply : isSymbol("/") ? .divide : .remainder
            let offset = current.offset
            advance()
            lhs = .binary(op, lhs, try unary(), offset: offset)
        }
        return lhs
    }

    private mutating func unary() throws(ExpressionError) -> SyntaxTree {
        if isSymbol("-") {
            let offset = current.offset
            advance()
            try descend()
            defer { nesting -= 1 }
            return .unary(.negate, try unary(), offset: offset)
        }
        return try postfix()
    }

    private mutating func postfix() throws(ExpressionError) -> SyntaxTree {
        let start = current
        switch start.token {
        case .number(let value):
            advance()
            return .literal(value, offset: start.offset)
        case .span(let span):
            advance()
            return .literal(.span(span), offset: start.offset)
        case .string(let text):
            advance()
            return .literal(.string(text), offset: start.offset)
        case .symbol("("):
            advance()
            let inner = try orExpression()
            try expect(")")
            return inner
        case .symbol("["):
            advance()
            let items = try arguments(closing: "]")
            return .list(items, offset: start.offset)
        case .identifier(let name):
            advance()
            switch name {
            case "true": return .literal(.bool(true), offset: start.offset)
            case "false": return .literal(.bool(false), offset: start.offset)
            case "null": return .literal(.null, offset: start.offset)
            default: break
            }
            if isSymbol("(") {
                advance()
                return .call(name, try arguments(closing: ")"), offset: start.offset)
            }
            return .path(root: name, segments: try pathSegments(), offset: start.offset)
        default:
            throw ExpressionError(.syntax, at: start.offset, "expected a value, found \(describe(start.token))")
        }
    }

    private mutating func pathSegments() throws(ExpressionError) -> [PathSegment] {
        var segments: [PathSegment] = []
        while true {
            if isSymbol(".") {
                advance()
                guard case .identifier(let name) = current.token else {
                    throw ExpressionError(.syntax, at: current.offset, "expected a field name after '.'")
                }
                segments.append(.member(name, offset: current.offset))
                advance()
            } else if isSymbol("[") {
                advance()
                segments.append(.index(try orExpression()))
                try expect("]")
            } else {
                return segments
            }
        }
    }

    private mutating func arguments(closing: String) throws(ExpressionError) -> [SyntaxTree] {
        var items: [SyntaxTree] = []
        if isSymbol(closing) {
            advance()
            return items
        }
        while true {
            items.append(try orExpression())
            if isSymbol(",") {
                advance()
                continue
            }
            try expect(closing)
            return items
        }
    }

    private mutating func expect(_ symbol: String) throws(ExpressionError) {
        guard isSymbol(symbol) else {
            throw ExpressionError(.syntax, at: current.offset, "expected '\(symbol)', found \(describe(current.token))")
        }
        advance()
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .number(let value): "number \(value.plainText)"
        case .span(let span): "duration \(span.formatted)"
        case .string(let text): "string \"\(text)\""
        case .identifier(let name): "'\(name)'"
        case .symbol(let symbol): "'\(symbol)'"
        case .end: "end of expression"
        }
    }
}

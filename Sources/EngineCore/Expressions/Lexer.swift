/// Splits an expression into tokens. Works on Unicode scalars so offsets match YAML columns.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    static func tokenize(_ source: String) throws(ExpressionError) -> [PositionedToken] {
        var lexer = Lexer(source)
        var tokens: [PositionedToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.token == .end { return tokens }
        }
    }

    private static let twoCharacterSymbols: Set<String> = ["==", "!=", "<=", ">=", "&&", "||"]
    private static let oneCharacterSymbols: Set<Unicode.Scalar> = [
        "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", ".", "!",
    ]

    private mutating func next() throws(ExpressionError) -> PositionedToken {
        while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
        let start = index
        guard index < scalars.count else { return PositionedToken(token: .end, offset: start) }
        let scalar = scalars[index]
        if isDigit(scalar) { return try number(start: start) }
        if isIdentifierStart(scalar) {
            while index < scalars.count, isIdentifierPart(scalars[index]) { index += 1 }
            return PositionedToken(token: .identifier(text(start, index)), offset: start)
        }
        if scalar == "\"" || scalar == "'" { return try string(quote: scalar, start: start) }
        if index + 1 < scalars.count {
            let pair = text(index, index + 2)
            if Lexer.twoCharacterSymbols.contains(pair) {
                index += 2
                return PositionedToken(token: .symbol(pair), offset: start)
            }
        }
        if Lexer.oneCharacterSymbols.contains(scalar) {
            index += 1
            return PositionedToken(token: .symbol(String(scalar)), offset: start)
        }
        if scalar == "=" {
            throw ExpressionError(.syntax, at: start, "unexpected '=' (use '==' to compare)")
        }
        throw ExpressionError(.syntax, at: start, "unexpected character '\(scalar)'")
    }

    /// `42`, `3.5`, or a duration such as `14d`, `1h30m`, `500ms` (digits directly followed by a unit).
    private mutating func number(start: Int) throws(ExpressionError) -> PositionedToken {
        while index < scalars.count, isDigit(scalars[index]) { index += 1 }
        if index < scalars.count, scalars[index].properties.isAlphabetic {
            while index < scalars.count, isDigit(scalars[index]) || scalars[index].properties.isAlphabetic {
                index += 1
            }
            let literal = text(start, index)
            switch TimeSpan.parse(literal) {
            case .success(let span): return PositionedToken(token: .span(span), offset: start)
            case .failure(let error): throw ExpressionError(.duration, at: start, error.message)
            }
        }
        var isDouble = false
        if index + 1 < scalars.count, scalars[index] == ".", isDigit(scalars[index + 1]) {
            isDouble = true
            index += 1
            while index < scalars.count, isDigit(scalars[index]) { index += 1 }
        }
        let literal = text(start, index)
        if isDouble, let value = Double(literal) {
            return PositionedToken(token: .number(.double(value)), offset: start)
        }
        guard let value = Int64(literal) else {
            throw ExpressionError(.syntax, at: start, "number '\(literal)' is too large")
        }
        return PositionedToken(token: .number(.int(value)), offset: start)
    }

    private mutating func string(quote: Unicode.Scalar, start: Int) throws(ExpressionError) -> PositionedToken {
        index += 1
        var out = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == quote {
                index += 1
                return PositionedToken(token: .string(String(out)), offset: start)
            }
            if scalar == "\\", index + 1 < scalars.count {
                index += 1
                switch scalars[index] {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(scalars[index])
                }
            } else {
                out.append(scalar)
            }
            index += 1
        }
        throw ExpressionError(.syntax, at: start, "unterminated string")
    }

    private func text(_ from: Int, _ to: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[from..<to])
        return String(view)
    }

    private func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar == "$" || scalar.properties.isAlphabetic
    }

    private func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || isDigit(scalar)
    }
}

/// The parsed form of an expression, before type checking and compilation.
indirect enum SyntaxTree: Equatable {
    case literal(Value, offset: Int)
    case path(root: String, segments: [PathSegment], offset: Int)
    case unary(UnaryOperator, SyntaxTree, offset: Int)
    case binary(BinaryOperator, SyntaxTree, SyntaxTree, offset: Int)
    case list([SyntaxTree], offset: Int)
    case call(String, [SyntaxTree], offset: Int)

    var offset: Int {
        switch self {
        case .literal(_, let offset), .path(_, _, let offset), .unary(_, _, let offset),
            .binary(_, _, _, let offset), .list(_, let offset), .call(_, _, let offset):
            offset
        }
    }
}

indirect enum PathSegment: Equatable {
    case member(String, offset: Int)
    case index(SyntaxTree)
}

enum UnaryOperator: String, Equatable {
    case not
    case negate = "-"
}

enum BinaryOperator: String, Equatable, CaseIterable {
    case or, and
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case `in`
    case notIn = "not in"
    case contains
    case startsWith = "starts_with"
    case endsWith = "ends_with"
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
}

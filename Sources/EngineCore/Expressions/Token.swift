/// A lexical token of the expression language.
enum Token: Equatable {
    case number(Value)
    case span(TimeSpan)
    case string(String)
    case identifier(String)
    case symbol(String)
    case end
}

struct PositionedToken: Equatable {
    var token: Token
    var offset: Int
}

/// A problem in one expression, at an offset (in Unicode scalars) into its source text. The
/// loader turns the offset into a file:line:column.
public struct ExpressionError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case syntax
        case type
        case duration
    }

    public var kind: Kind
    public var offset: Int
    public var message: String

    init(_ kind: Kind, at offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }
}

/// A 1-based line and column inside a template's source. Columns count Unicode scalars, so an
/// editor showing UTF-8 text points at the same place for ASCII and most accented letters.
public struct TemplatePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: TemplatePosition, rhs: TemplatePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

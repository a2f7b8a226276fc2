/// A template that cannot be parsed: what is wrong and where (line:column in its source).
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem; a struct so new kinds do not break callers that switch on it.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// `{{` without its `}}` (or `{{{` without `}}}`).
        public static let unclosedTag = Code(rawValue: "unclosed-tag")
        /// `{{#name}}` or `{{^name}}` without `{{/name}}`.
        public static let unclosedSection = Code(rawValue: "unclosed-section")
        /// `{{/name}}` closing a section with another name.
        public static let mismatchedClose = Code(rawValue: "mismatched-close")
        /// `{{/name}}` with no section open.
        public static let unexpectedClose = Code(rawValue: "unexpected-close")
        /// `{{}}`, `{{# }}` and the like.
        public static let emptyName = Code(rawValue: "empty-name")
        /// A name with spaces, braces or empty dotted parts (`a..b`).
        public static let invalidName = Code(rawValue: "invalid-name")
        /// Partials, set-delimiter tags and inheritance: deliberately not part of the subset.
        public static let unsupportedTag = Code(rawValue: "unsupported-tag")

        public var description: String { rawValue }
    }

    public var code: Code
    /// The template's name, as given to `MessageTemplate(source:name:)`.
    public var template: String
    public var position: TemplatePosition
    public var message: String

    public init(_ code: Code, template: String, at position: TemplatePosition, _ message: String) {
        self.code = code
        self.template = template
        self.position = position
        self.message = message
    }

    public var description: String { "\(template):\(position): \(message)" }
}

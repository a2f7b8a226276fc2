/// Every problem found while loading a template directory, each with its file:line:column, so
/// one start-up failure lists everything to fix.
public struct TemplateLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [Problem]

    public init(_ problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }

    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var code: Code
        public var file: String
        public var line: Int
        public var column: Int
        public var message: String

        public init(_ code: Code, file: String, line: Int, column: Int, _ message: String) {
            self.code = code
            self.file = file
            self.line = line
            self.column = column
            self.message = message
        }

        public var description: String { "\(file):\(line):\(column): \(message)" }
    }

    /// What kind of problem; a struct so new kinds do not break callers that switch on it.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let missingDirectory = Code(rawValue: "missing-directory")
        public static let unreadableFile = Code(rawValue: "unreadable-file")
        public static let yamlSyntax = Code(rawValue: "yaml-syntax")
        /// Not a map of channels to maps of parts to strings.
        public static let wrongShape = Code(rawValue: "wrong-shape")
        public static let emptyPart = Code(rawValue: "empty-part")
        /// A part whose Mustache does not parse.
        public static let templateSyntax = Code(rawValue: "template-syntax")
        /// Two files for one template name (`x.yaml` and `x.yml`).
        public static let duplicateTemplate = Code(rawValue: "duplicate-template")

        public var description: String { rawValue }
    }
}

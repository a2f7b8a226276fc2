/// A render that referenced variables the context does not have. Every missing variable of the
/// render is listed (not only the first), so one failed message tells the whole story.
public struct TemplateRenderError: Error, Sendable, Hashable, CustomStringConvertible {
    public var missing: [MissingVariable]

    public init(missing: [MissingVariable]) {
        self.missing = missing
    }

    public var description: String {
        missing.map(\.description).joined(separator: "; ")
    }
}

/// One variable tag whose name resolved to nothing.
public struct MissingVariable: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// No context on the stack has the name (or a dotted path broke on the way).
        case missing
        /// The name is there, with the value null.
        case null
    }

    /// The template's name, as given to `MessageTemplate(source:name:)`.
    public var template: String
    /// The name as written in the tag (`first_name`, `order.total`, `.`).
    public var name: String
    public var position: TemplatePosition
    public var reason: Reason

    public init(template: String, name: String, position: TemplatePosition, reason: Reason) {
        self.template = template
        self.name = name
        self.position = position
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .missing: "\(template):\(position): missing variable '\(name)'"
        case .null: "\(template):\(position): variable '\(name)' is null"
        }
    }
}

import EngineCore

/// One template for one channel: its parts (`subject`, `text`, `html`; `title`, `body`; ...),
/// each compiled, rendered together into one message.
public struct ChannelTemplate: Sendable {
    /// The template's name, as scenarios write it (`template: welcome`).
    public let name: String
    public let channel: String
    private let parts: [String: MessageTemplate]

    public init(name: String, channel: String, parts: [String: MessageTemplate]) {
        self.name = name
        self.channel = channel
        self.parts = parts
    }

    /// The part names, sorted (for start-up checks: does the email template have a subject?).
    public var partNames: [String] { parts.keys.sorted() }

    public func part(_ name: String) -> MessageTemplate? { parts[name] }

    /// The escaping a part gets: `html` is HTML; every other part is plain text (subjects, text
    /// bodies, SMS, push). Connectors escape their own config templates (JSON, URL) themselves.
    public static func escaping(forPart part: String) -> Escaping {
        part == "html" ? .html : .none
    }

    /// Renders every part; fails with the missing variables of all parts together.
    public func render(_ context: Value) throws(TemplateRenderError) -> RenderedParts {
        var texts: [String: String] = [:]
        var missing: [MissingVariable] = []
        for (partName, part) in parts.sorted(by: { $0.key < $1.key }) {
            let (text, partMissing) = part.renderCollectingMissing(context, escaping: Self.escaping(forPart: partName))
            texts[partName] = text
            missing += partMissing
        }
        guard missing.isEmpty else { throw TemplateRenderError(missing: missing) }
        return RenderedParts(texts)
    }
}

/// A rendered message: part name -> text.
public struct RenderedParts: Sendable, Hashable {
    public let texts: [String: String]

    public init(_ texts: [String: String]) {
        self.texts = texts
    }

    public subscript(part: String) -> String? { texts[part] }

    public var partNames: [String] { texts.keys.sorted() }
}

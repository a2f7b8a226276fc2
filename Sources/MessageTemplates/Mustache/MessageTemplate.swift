import EngineCore

/// One compiled Mustache template (a subset: variables, sections, inverted sections, comments;
/// no partials or delimiter changes). Parsed once, rendered many times, shared across tasks.
///
/// Strict: a variable tag whose name resolves to nothing, or to null, is an error listing every
/// such tag of the render, never an empty string in a customer's message. Sections on missing
/// names are simply skipped: that is how optional content is written.
public struct MessageTemplate: Sendable {
    /// Names errors: the catalog uses `<template>/<channel>/<part>`.
    public let name: String
    public let source: String
    /// Tags that can only be resolved against the root context: every tag outside a (non-inverted)
    /// section, including section names themselves. A startup check can compare them with the
    /// variables a scenario sends.
    public let rootReferences: [TemplateReference]
    let nodes: [TemplateNode]

    public init(source: String, name: String) throws(TemplateError) {
        self.name = name
        self.source = source
        self.nodes = try TemplateParser(source: source, template: name).parse()
        var references: [TemplateReference] = []
        Self.collectRootReferences(nodes, into: &references)
        self.rootReferences = references
    }

    public func render(_ context: Value, escaping: Escaping) throws(TemplateRenderError) -> String {
        let (text, missing) = renderCollectingMissing(context, escaping: escaping)
        guard missing.isEmpty else { throw TemplateRenderError(missing: missing) }
        return text
    }

    /// Renders and returns the missing variables instead of throwing, so several parts of one
    /// message can be reported together.
    func renderCollectingMissing(_ context: Value, escaping: Escaping) -> (String, [MissingVariable]) {
        var renderer = TemplateRenderer(template: name, escaping: escaping)
        var stack = [context]
        renderer.render(nodes, stack: &stack)
        return (renderer.output, renderer.missing)
    }

    private static func collectRootReferences(_ nodes: [TemplateNode], into references: inout [TemplateReference]) {
        for node in nodes {
            switch node {
            case .text:
                break
            case .variable(let name, _, let position):
                references.append(TemplateReference(name: name.text, position: position, kind: .variable))
            case .section(let name, let inverted, let body, let position):
                references.append(
                    TemplateReference(name: name.text, position: position, kind: inverted ? .invertedSection : .section)
                )
                // An inverted section pushes nothing: its body still reads the root.
                if inverted { collectRootReferences(body, into: &references) }
            }
        }
    }
}

/// A name a template looks up, where, and how.
public struct TemplateReference: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case variable
        case section
        case invertedSection
    }

    /// As written: `first_name`, `links.unsubscribe`, `.`.
    public var name: String
    public var position: TemplatePosition
    public var kind: Kind

    public init(name: String, position: TemplatePosition, kind: Kind) {
        self.name = name
        self.position = position
        self.kind = kind
    }

    /// The first part of a dotted name: the key looked up in the root context (`.` for `.`).
    public var rootName: String {
        name == "." ? name : String(name.prefix { $0 != "." })
    }

    public var description: String { "\(name) (\(kind.rawValue)) at \(position)" }
}

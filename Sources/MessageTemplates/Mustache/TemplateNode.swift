/// A parsed template: text and tags, sections holding their bodies. Standalone lines are
/// already removed from the text, so rendering only concatenates.
indirect enum TemplateNode: Sendable {
    case text(String)
    case variable(TemplateName, escaped: Bool, position: TemplatePosition)
    case section(TemplateName, inverted: Bool, body: [TemplateNode], position: TemplatePosition)
}

/// A tag's name: `.` (the top of the context stack) or a dotted path.
struct TemplateName: Sendable, Hashable {
    /// As written, for errors (`.`, `a.b.c`).
    let text: String
    /// The path's parts; empty for the implicit iterator `.`.
    let path: [String]
}

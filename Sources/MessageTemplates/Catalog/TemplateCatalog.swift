/// Every message template, by name and channel. Immutable once built; the dispatcher looks a
/// message's `template` and `channel` up here and validates scenarios against it at start-up.
public struct TemplateCatalog: Sendable {
    private var templates: [String: [String: ChannelTemplate]] = [:]

    /// A later template with the same name and channel replaces an earlier one (`load` reports
    /// such duplicates as errors before it gets here).
    public init(_ templates: [ChannelTemplate]) {
        for template in templates {
            self.templates[template.name, default: [:]][template.channel] = template
        }
    }

    public func template(named name: String, channel: String) -> ChannelTemplate? {
        templates[name]?[channel]
    }

    /// Template names, sorted.
    public var templateNames: [String] { templates.keys.sorted() }

    /// The channels a template has, sorted; empty when there is no such template.
    public func channels(of name: String) -> [String] {
        templates[name]?.keys.sorted() ?? []
    }
}

/// The Nudge settings of a BPMN element, as a modeler user enters them: extension properties in
/// Camunda Modeler's properties panel (`camunda:properties` for Camunda 7, `zeebe:properties` for
/// Camunda 8), input mappings for send variables (`camunda:inputOutput`, `zeebe:ioMapping`), or
/// `nudge:`-prefixed attributes in hand-written XML.
struct ExtensionProperties: Sendable {
    var entries: [NamedText] = []

    init(_ element: XMLTreeElement) {
        for key in element.attributes.keys.sorted() where key.hasPrefix("nudge:") {
            if let value = element.attributes[key] { entries.append(NamedText(String(key.dropFirst(6)), value)) }
        }
        for extensions in element.children("extensionElements") {
            for child in extensions.children {
                switch child.localName {
                case "properties":
                    for property in child.children("property") {
                        guard let name = property.attribute("name")?.trimmingWhitespace(), !name.isEmpty else {
                            continue
                        }
                        entries.append(NamedText(name, property.attribute("value") ?? property.trimmedText))
                    }
                case "inputOutput":
                    for input in child.children("inputParameter") {
                        guard let name = input.attribute("name"), !name.isEmpty else { continue }
                        entries.append(NamedText("variables.\(name)", BPMNExpression.clean(input.trimmedText)))
                    }
                case "ioMapping":
                    for input in child.children("input") {
                        guard let name = input.attribute("target"), !name.isEmpty else { continue }
                        entries.append(
                            NamedText("variables.\(name)", BPMNExpression.clean(input.attribute("source") ?? "")))
                    }
                default: continue
                }
            }
        }
    }

    /// The first value of `name`, trimmed; nil when missing or empty.
    subscript(name: String) -> String? {
        guard let value = entries.first(where: { $0.name == name })?.value.trimmingWhitespace(), !value.isEmpty
        else { return nil }
        return value
    }

    func flag(_ name: String) -> Bool { self[name]?.lowercased() == "true" }

    /// Entries named `prefix` + name, in order, with the prefix dropped (`vars.service` -> `service`).
    func withPrefix(_ prefix: String) -> [NamedText] {
        var seen = Set<String>()
        return entries.compactMap { entry in
            guard entry.name.hasPrefix(prefix), entry.name.count > prefix.count else { return nil }
            let name = String(entry.name.dropFirst(prefix.count))
            guard seen.insert(name).inserted else { return nil }
            return NamedText(name, entry.value.trimmingWhitespace())
        }
    }
}

/// Expressions as modelers write them: JUEL `${...}` (Camunda 7) and FEEL's leading `=` (Camunda 8)
/// wrap the text; the scenario language wants it bare.
enum BPMNExpression {
    static func clean(_ text: String) -> String {
        var body = text.trimmingWhitespace()
        if (body.hasPrefix("${") || body.hasPrefix("#{")), body.hasSuffix("}") {
            body = String(body.dropFirst(2).dropLast()).trimmingWhitespace()
        } else if body.hasPrefix("=") {
            body = String(body.dropFirst()).trimmingWhitespace()
        }
        return body
    }
}

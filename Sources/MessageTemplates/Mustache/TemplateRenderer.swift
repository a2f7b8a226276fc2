import EngineCore

/// Renders parsed nodes against a context stack. Missing or null variables render nothing and
/// are collected, so the caller can fail the message with every missing name at once.
struct TemplateRenderer {
    let template: String
    let escaping: Escaping
    private(set) var output = ""
    private(set) var missing: [MissingVariable] = []
    /// A tag inside a list section is visited once per item; report it once.
    private var reported: Set<TemplatePosition> = []

    init(template: String, escaping: Escaping) {
        self.template = template
        self.escaping = escaping
    }

    mutating func render(_ nodes: [TemplateNode], stack: inout [Value]) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .variable(let name, let escaped, let position):
                interpolate(name, escaped: escaped, position: position, stack: stack)
            case .section(let name, let inverted, let body, _):
                let value = Self.resolve(name, in: stack)
                let items = Self.sectionItems(value)
                if inverted {
                    if items.isEmpty { render(body, stack: &stack) }
                    continue
                }
                for item in items {
                    stack.append(item)
                    render(body, stack: &stack)
                    stack.removeLast()
                }
            }
        }
    }

    private mutating func interpolate(_ name: TemplateName, escaped: Bool, position: TemplatePosition, stack: [Value]) {
        let value = Self.resolve(name, in: stack)
        let reason: MissingVariable.Reason
        switch value {
        case nil: reason = .missing
        case .null?: reason = .null
        case let value?:
            let text = Self.text(of: value)
            if escaped { escaping.append(text, to: &output) } else { output += text }
            return
        }
        if reported.insert(position).inserted {
            missing.append(MissingVariable(template: template, name: name.text, position: position, reason: reason))
        }
    }

    /// Looks the first part of the name up from the top of the stack down; the rest of a dotted
    /// name is read from what was found only (the spec's rule: a broken chain does not fall back).
    /// nil when nothing has the name; `.null` when it is there and null.
    static func resolve(_ name: TemplateName, in stack: [Value]) -> Value? {
        guard let first = name.path.first else { return stack.last }
        for frame in stack.reversed() {
            guard case .object(let fields) = frame, var value = fields[first] else { continue }
            for part in name.path.dropFirst() {
                guard case .object(let inner) = value, let next = inner[part] else { return nil }
                value = next
            }
            return value
        }
        return nil
    }

    /// What a section iterates: nothing for missing, null, false and empty lists; each item of a
    /// list; any other value once (pushed, so `{{.}}` shows it).
    static func sectionItems(_ value: Value?) -> [Value] {
        switch value {
        case nil, .null?, .bool(false)?: []
        case .list(let items)?: items
        case let value?: [value]
        }
    }

    /// Text of a value: instants as ISO 8601 and spans as `2h30m` (EngineCore's presentation),
    /// lists and objects as compact JSON (`Value.plainJSON`: spans in milliseconds).
    static func text(of value: Value) -> String {
        switch value {
        case .string(let text): text
        case .list, .object: value.plainJSON.jsonText
        default: value.plainText
        }
    }
}

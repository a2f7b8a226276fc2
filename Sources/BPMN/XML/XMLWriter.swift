/// An element to write: attributes in the order given, so output is stable and diffable.
struct XMLOut: Sendable {
    var name: String
    var attributes: [(String, String)]
    var children: [XMLOut] = []
    var text: String?

    init(_ name: String, _ attributes: [(String, String)] = [], children: [XMLOut] = [], text: String? = nil) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The document: declaration and the element, indented by two spaces a level.
    var document: String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        write(into: &out, level: 0)
        return out
    }

    private func write(into out: inout String, level: Int) {
        let indent = String(repeating: "  ", count: level)
        out += indent + "<" + name
        for (key, value) in attributes { out += " \(key)=\"\(Self.escapeAttribute(value))\"" }
        if let text {
            out += ">" + Self.escapeText(text) + "</\(name)>\n"
        } else if children.isEmpty {
            out += " />\n"
        } else {
            out += ">\n"
            for child in children { child.write(into: &out, level: level + 1) }
            out += indent + "</\(name)>\n"
        }
    }

    static func escapeText(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Also line breaks and tabs, which attribute normalization would otherwise turn into spaces.
    static func escapeAttribute(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

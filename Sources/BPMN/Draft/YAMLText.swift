import Yams

/// Scalars and flow values written so that YAML reads back exactly the text meant.
enum YAMLText {
    /// An expression or literal: plain when YAML reads it back unchanged, else double-quoted.
    /// (Quoting an expression does not change it: the loader compiles the text either way.)
    static func expression(_ text: String) -> String {
        isPlainSafe(text) ? text : quoted(text)
    }

    /// A string that must stay a string (`event`, `channel`, ids): also quoted when YAML would
    /// read it as a number, a boolean or null.
    static func string(_ text: String) -> String {
        isPlainSafe(text) && !looksTyped(text) ? text : quoted(text)
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Whether `text` can be written as a plain scalar in block context.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last else { return false }
        if first.isWhitespace || last.isWhitespace || last == ":" { return false }
        if text.contains(where: { $0.isNewline || $0 == "\t" }) { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        if "-?:".contains(first) {
            // "-3d" is a plain scalar; "- x" or a lone "-" is not.
            let second = text.dropFirst().first
            return second.map { !$0.isWhitespace } ?? false
        }
        return !",[]{}#&*!|>'\"%@`".contains(first)
    }

    /// Whether a plain scalar would be read as something other than a string.
    static func looksTyped(_ text: String) -> Bool {
        let words: Set<String> = [
            "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES",
            "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", ".inf", ".nan",
        ]
        if words.contains(text) { return true }
        guard let first = text.first else { return true }
        // Numbers in any of YAML's spellings (1_000, 0x1f, 1e3, 12:30 sexagesimal): quote them all.
        return first.isNumber
            || ((first == "-" || first == "+" || first == ".") && text.dropFirst().first?.isNumber == true)
    }

    /// A YAML node as one line of flow YAML that reads back as the same value.
    static func flow(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, isPlainSafe(scalar.string),
                !scalar.string.contains(where: { ",[]{}".contains($0) })
            {
                return scalar.string
            }
            return quoted(scalar.string)
        case .mapping(let mapping):
            let pairs = mapping.map { "\(flow($0.key)): \(flow($0.value))" }
            return "{" + pairs.joined(separator: ", ") + "}"
        case .sequence(let sequence):
            return "[" + sequence.map(flow).joined(separator: ", ") + "]"
        case .alias:
            return "null"
        }
    }
}

/// How interpolated text is escaped for where the template's output goes. Chosen per rendered
/// part; `{{{name}}}` and `{{& name}}` are never escaped.
public enum Escaping: Sendable, Hashable {
    /// HTML text and attribute values: `& < > " '`.
    case html
    /// The contents of a JSON string literal: quote, backslash and control characters.
    case json
    /// A URL component: everything but unreserved characters (RFC 3986) percent-encoded.
    case url
    /// Plain text (email subjects and text bodies, SMS, push).
    case none

    public func escape(_ text: String) -> String {
        var output = ""
        append(text, to: &output)
        return output
    }

    func append(_ text: String, to output: inout String) {
        switch self {
        case .none: output += text
        case .html: Self.appendHTML(text, to: &output)
        case .json: Self.appendJSON(text, to: &output)
        case .url: Self.appendURL(text, to: &output)
        }
    }

    private static func appendHTML(_ text: String, to output: inout String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
    }

    private static func appendJSON(_ text: String, to output: inout String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case _ where scalar.value < 0x20:
                output += "\\u00" + hexDigit(UInt8(scalar.value >> 4)) + hexDigit(UInt8(scalar.value & 0xF))
            default: output.unicodeScalars.append(scalar)
            }
        }
    }

    private static func appendURL(_ text: String, to output: inout String) {
        for byte in text.utf8 {
            let unreserved =
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += "%" + hexDigit(byte >> 4).uppercased() + hexDigit(byte & 0xF).uppercased()
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> String {
        String(nibble, radix: 16)
    }
}

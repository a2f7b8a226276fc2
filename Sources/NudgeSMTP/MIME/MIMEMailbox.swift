/// An address with an optional display name: `"Nudge Team" <team@example.com>`.
public struct MIMEMailbox: Sendable, Equatable {
    public var address: String
    public var displayName: String?

    public init(_ address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }

    /// Refuses what would break the header or the SMTP command: no `@`, brackets, whitespace,
    /// control characters.
    func validated() throws(MIMEError) -> MIMEMailbox {
        let forbidden: Set<Unicode.Scalar> = ["<", ">", " ", ",", ";", "\"", "(", ")"]
        guard let at = address.lastIndex(of: "@"), at != address.startIndex,
            address.index(after: at) != address.endIndex,
            !address.unicodeScalars.contains(where: { forbidden.contains($0) || $0.value < 32 || $0.value == 127 })
        else { throw MIMEError("'\(address)' is not an email address") }
        if let displayName, displayName.containsLineBreak {
            throw MIMEError("a display name must not contain line breaks")
        }
        return self
    }

    /// The header form: the display name as a quoted string, or as an encoded word if it is not ASCII.
    var headerValue: String {
        guard let displayName, !displayName.isEmpty else { return address }
        let name =
            displayName.utf8.allSatisfy({ $0 >= 32 && $0 < 127 })
            ? "\"" + displayName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\""
            : MIMEEncoding.encodedWords(displayName).joined(separator: " ")
        return "\(name) <\(address)>"
    }
}

/// An extra header: `List-Unsubscribe`, `X-...`.
public struct MIMEHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

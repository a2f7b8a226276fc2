import Foundation

/// A delivery status notification (RFC 3464) as a mail server sends it back to a message's
/// return address: `multipart/report; report-type=delivery-status` with a `message/delivery-status`
/// part (one block of fields per recipient) and the original message or its headers, which name
/// the message (`X-Nudge-Message-Id`, `Message-ID`).
public struct DeliveryStatusReport: Sendable, Equatable {
    public struct Recipient: Sendable, Equatable {
        /// `Final-Recipient` without its address type (`rfc822;`).
        public var address: String?
        /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
        public var action: String
        /// The enhanced status code, `5.1.1`.
        public var status: String
        public var diagnostic: String?
    }

    public var recipients: [Recipient]
    /// The original message's headers as the report quotes them, names lowercased.
    public var originalHeaders: [String: String]

    /// Our message id, from the header the SMTP connector sets.
    public var nudgeMessageId: String? { originalHeaders["x-nudge-message-id"] }

    /// The signed token the SMTP connector puts in every email (`X-Nudge-Bounce-Token`): what
    /// authenticates the report.
    public var bounceToken: String? { originalHeaders["x-nudge-bounce-token"] }

    /// The original Message-ID without its angle brackets.
    public var originalMessageID: String? {
        originalHeaders["message-id"].map { String($0.filter { $0 != "<" && $0 != ">" && !$0.isWhitespace }) }
    }

    /// The first recipient the report says failed: a 5.x.x status is a hard bounce (the address
    /// is refused for good), anything else soft. Nil when no recipient failed (delays, relays).
    public var failure: (recipient: Recipient, bounceType: String)? {
        guard let failed = recipients.first(where: { $0.action == "failed" }) else { return nil }
        return (failed, failed.status.hasPrefix("5.") ? "hard" : "soft")
    }

    /// Nil when `text` is not a delivery status report.
    public static func parse(_ text: String) -> DeliveryStatusReport? {
        let message = MIMEPart(text.replacingOccurrences(of: "\r\n", with: "\n"))
        return report(in: message, depth: 0)
    }

    /// Reports may come wrapped in a `multipart/mixed`; look a couple of levels down.
    private static func report(in part: MIMEPart, depth: Int) -> DeliveryStatusReport? {
        guard depth < 3, part.mediaType.hasPrefix("multipart/"), let boundary = part.parameter("boundary") else {
            return nil
        }
        let parts = part.subparts(boundary: boundary)
        guard part.mediaType == "multipart/report" else {
            return parts.lazy.compactMap { report(in: $0, depth: depth + 1) }.first
        }
        guard let status = parts.first(where: { $0.mediaType == "message/delivery-status" }) else { return nil }
        var headers: [String: String] = [:]
        if let original = parts.first(where: {
            $0.mediaType == "text/rfc822-headers" || $0.mediaType == "message/rfc822"
        }) {
            // Either way the quoted headers start the part's body.
            for (name, value) in MIMEPart(original.body).headers where headers[name] == nil { headers[name] = value }
        }
        let recipients = fieldGroups(status.body).dropFirst().compactMap { fields -> Recipient? in
            guard let action = fields["action"]?.lowercased(), let code = fields["status"] else { return nil }
            let address = fields["final-recipient"].map { value in
                value.split(separator: ";", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? value
            }
            return Recipient(
                address: address, action: action, status: code.split(separator: " ").first.map(String.init) ?? code,
                diagnostic: fields["diagnostic-code"])
        }
        guard !recipients.isEmpty else { return nil }
        return DeliveryStatusReport(recipients: recipients, originalHeaders: headers)
    }

    /// The `message/delivery-status` body: header-style field groups separated by blank lines,
    /// the per-message group first, then one per recipient.
    static func fieldGroups(_ body: String) -> [[String: String]] {
        var groups: [[String: String]] = []
        var lines: [Substring] = []
        func flush() {
            guard !lines.isEmpty else { return }
            groups.append(Dictionary(MIMEPart.headerFields(lines), uniquingKeysWith: { first, _ in first }))
            lines = []
        }
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) { flush() } else { lines.append(line) }
        }
        flush()
        return groups
    }
}

/// Just enough MIME to read a report: header fields (unfolded, names lowercased), the media
/// type and its parameters, and the parts of a multipart body.
struct MIMEPart {
    var headers: [(name: String, value: String)]
    var body: String

    init(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let end = lines.firstIndex(where: { $0.isEmpty || $0.allSatisfy(\.isWhitespace) }) ?? lines.endIndex
        headers = Self.headerFields(lines[..<end])
        body = end < lines.endIndex ? lines[(end + 1)...].joined(separator: "\n") : ""
    }

    static func headerFields<Lines: Collection<Substring>>(_ lines: Lines) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        for line in lines {
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                fields.append(
                    (
                        line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                        line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    ))
            }
        }
        return fields
    }

    private var contentType: Substring {
        Substring(headers.first(where: { $0.name == "content-type" })?.value ?? "text/plain")
    }

    /// `multipart/report`, lowercased, without parameters.
    var mediaType: String {
        (contentType.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    func parameter(_ name: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            return pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    func subparts(boundary: String) -> [MIMEPart] {
        var parts: [MIMEPart] = []
        var current: [Substring]?
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "--\(boundary)" || trimmed == "--\(boundary)--" {
                if let current { parts.append(MIMEPart(current.joined(separator: "\n"))) }
                if trimmed == "--\(boundary)--" { break }
                current = []
            } else {
                current?.append(line)
            }
        }
        return parts
    }
}

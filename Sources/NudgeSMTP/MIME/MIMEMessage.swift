import Foundation

/// An email as text and, optionally, HTML alternatives (multipart/alternative), quoted-printable
/// bodies in UTF-8, headers checked for injection. Rendering is deterministic: the same message
/// renders to the same bytes (the boundary derives from the Message-ID).
public struct MIMEMessage: Sendable {
    public var from: MIMEMailbox
    public var to: [MIMEMailbox]
    public var subject: String
    public var date: Date
    /// Without angle brackets: `abc.123@example.com`.
    public var messageID: String
    public var text: String
    public var html: String?
    public var headers: [MIMEHeader]
    public var replyTo: MIMEMailbox?

    public init(
        from: MIMEMailbox, to: [MIMEMailbox], subject: String, date: Date, messageID: String, text: String,
        html: String? = nil, headers: [MIMEHeader] = [], replyTo: MIMEMailbox? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.text = text
        self.html = html
        self.headers = headers
        self.replyTo = replyTo
    }

    /// Headers we write ourselves; a custom header may not replace them.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version", "content-type",
        "content-transfer-encoding",
    ]

    public func envelope() throws(MIMEError) -> SMTPEnvelope {
        guard !to.isEmpty else { throw MIMEError("a message needs a recipient") }
        return SMTPEnvelope(sender: try from.validated().address, recipients: try to.map { m throws(MIMEError) in try m.validated().address })
    }

    public func render() throws(MIMEError) -> [UInt8] {
        let from = try from.validated()
        let to = try to.map { m throws(MIMEError) in try m.validated() }
        guard !to.isEmpty else { throw MIMEError("a message needs a recipient") }
        let replyTo = try replyTo.map { m throws(MIMEError) in try m.validated() }
        guard !messageID.contains(where: { $0 == "<" || $0 == ">" || $0.isWhitespace }), messageID.contains("@") else {
            throw MIMEError("'\(messageID)' is not a Message-ID (local@domain, no brackets or spaces)")
        }
        for value in [subject] + headers.map(\.value) where value.containsLineBreak {
            throw MIMEError("header values must not contain line breaks")
        }
        for header in headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") })
            else { throw MIMEError("'\(header.name)' is not a header name") }
            guard !Self.reservedHeaders.contains(header.name.lowercased()) else {
                throw MIMEError("the \(header.name) header is written from the message's fields")
            }
        }

        var lines = [
            MIMEEncoding.headerLine("From", from.headerValue),
            MIMEEncoding.headerLine("To", to.map(\.headerValue).joined(separator: ", ")),
        ]
        if let replyTo { lines.append(MIMEEncoding.headerLine("Reply-To", replyTo.headerValue)) }
        lines += [
            MIMEEncoding.headerLine("Subject", MIMEEncoding.headerText(subject)),
            "Date: \(MIMEEncoding.date(date))",
            "Message-ID: <\(messageID)>",
        ]
        for header in headers { lines.append(MIMEEncoding.headerLine(header.name, MIMEEncoding.headerText(header.value))) }
        lines.append("MIME-Version: 1.0")

        if let html {
            let boundary = boundary()
            lines += [
                "Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "",
                "This is a multi-part message in MIME format.",
                "--\(boundary)",
            ]
            lines += Self.part(text, type: "text/plain")
            lines.append("--\(boundary)")
            lines += Self.part(html, type: "text/html")
            lines.append("--\(boundary)--")
            lines.append("")
        } else {
            lines += Self.part(text, type: "text/plain")
        }
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    private static func part(_ body: String, type: String) -> [String] {
        [
            "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "",
            MIMEEncoding.quotedPrintable(body),
        ]
    }

    /// `=_` never occurs in quoted-printable output, so a boundary starting with it cannot
    /// collide with a body line.
    private func boundary() -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in messageID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return "=_nudge_" + String(hash, radix: 16)
    }
}

extension String {
    /// CR or LF anywhere (checked on scalars: "\r\n" is one Character).
    var containsLineBreak: Bool { unicodeScalars.contains { $0 == "\r" || $0 == "\n" } }
}

import Foundation
import Testing

@testable import NudgeSMTP

@Suite struct MIMEMessageTests {
    static let date = Date(timeIntervalSince1970: 1_796_284_800)  // 2026-12-03 08:00:00 UTC

    static func message(text: String = "Hello", html: String? = "<p>Hello</p>", subject: String = "Your draft") -> MIMEMessage {
        MIMEMessage(
            from: MIMEMailbox("hello@nudge.example", displayName: "Nudge \"Team\""),
            to: [MIMEMailbox("ana@example.com")], subject: subject, date: date, messageID: "msg.1@nudge.example",
            text: text, html: html, headers: [MIMEHeader("List-Unsubscribe", "<https://t.example/u/abc>")])
    }

    @Test func multipartAlternativeWithBothParts() throws {
        let rendered = String(decoding: try Self.message().render(), as: UTF8.self)
        #expect(rendered.contains("From: \"Nudge \\\"Team\\\"\" <hello@nudge.example>\r\n"))
        #expect(rendered.contains("To: ana@example.com\r\n"))
        #expect(rendered.contains("Date: Thu, 03 Dec 2026 08:00:00 +0000\r\n"))
        #expect(rendered.contains("Message-ID: <msg.1@nudge.example>\r\n"))
        #expect(rendered.contains("List-Unsubscribe: <https://t.example/u/abc>\r\n"))
        let boundary = try #require(rendered.firstMatch(of: /boundary="([^"]+)"/)?.1)
        #expect(boundary.hasPrefix("=_"))
        #expect(rendered.components(separatedBy: "--\(boundary)\r\n").count == 3)
        #expect(rendered.contains("--\(boundary)--"))
        #expect(rendered.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(rendered.contains("Content-Type: text/html; charset=utf-8"))
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "only CRLF line ends")
    }

    @Test func textOnlyIsASinglePart() throws {
        let rendered = String(decoding: try Self.message(html: nil).render(), as: UTF8.self)
        #expect(!rendered.contains("multipart"))
        #expect(rendered.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello"))
    }

    @Test func renderingIsDeterministic() throws {
        #expect(try Self.message().render() == Self.message().render())
    }

    @Test func nonASCIISubjectBecomesEncodedWords() throws {
        let subject = String(repeating: "Vaš koncept čeká — ", count: 4)
        let rendered = String(decoding: try Self.message(subject: subject).render(), as: UTF8.self)
        let header = rendered.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }
            .prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }.joined(separator: "\r\n")
        let words = header.matches(of: /=\?UTF-8\?B\?([A-Za-z0-9+\/=]+)\?=/)
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.0.count <= 75 })
        let decoded = words.map { Data(base64Encoded: String($0.1)) ?? Data() }.reduce(Data(), +)
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
        #expect(header.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
    }

    @Test func quotedPrintableRoundTripsAndKeepsLinesShort() {
        let text = "Ahoj Ano,\nvaše žádost = rozpracovaná. " + String(repeating: "x", count: 200) + " \n.\nkonec\t"
        let encoded = MIMEEncoding.quotedPrintable(text)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(encoded.utf8.allSatisfy { $0 < 128 })
        #expect(Self.decodeQuotedPrintable(encoded) == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func headerInjectionIsRefused() {
        #expect(throws: MIMEError.self) { try Self.message(subject: "Hi\r\nBcc: everyone@example.com").render() }
        var message = Self.message()
        message.headers = [MIMEHeader("X-Campaign", "a\nb")]
        #expect(throws: MIMEError.self) { try message.render() }
        message.headers = [MIMEHeader("Bcc", "spy@example.com")]
        #expect(throws: MIMEError.self) { try message.render() }
        message.headers = [MIMEHeader("Bad Name", "x")]
        #expect(throws: MIMEError.self) { try message.render() }
    }

    @Test(arguments: ["ana", "ana@", "@example.com", "ana@example.com>\r\nRCPT TO:<x@y", "a b@example.com"])
    func badAddressesAreRefused(address: String) {
        var message = Self.message()
        message.to = [MIMEMailbox(address)]
        #expect(throws: MIMEError.self) { try message.render() }
        #expect(throws: MIMEError.self) { try message.envelope() }
    }

    @Test func envelopeCarriesTheBareAddresses() throws {
        #expect(try Self.message().envelope() == SMTPEnvelope(sender: "hello@nudge.example", recipients: ["ana@example.com"]))
    }

    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "="), index + 2 < source.count,
                let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

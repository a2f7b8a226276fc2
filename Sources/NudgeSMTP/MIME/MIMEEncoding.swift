import Foundation

/// The encodings a message needs to stay 7-bit clean: quoted-printable bodies, RFC 2047 encoded
/// words for non-ASCII header text, header folding, RFC 5322 dates.
enum MIMEEncoding {
    /// Quoted-printable (RFC 2045 6.7): lines of at most 76 characters, soft breaks `=`, CRLF hard
    /// breaks, `=XX` for anything outside printable ASCII and for a space or tab before a line end.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        var lineLength = 0
        let bytes = Array(text.utf8)
        func append(_ piece: [UInt8]) {
            if lineLength + piece.count > 75 {
                out.append(contentsOf: Array("=\r\n".utf8))
                lineLength = 0
            }
            out.append(contentsOf: piece)
            lineLength += piece.count
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                out.append(contentsOf: Array("\r\n".utf8))
                lineLength = 0
                if byte == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
                index += 1
                continue
            }
            let atLineEnd =
                index + 1 == bytes.count || bytes[index + 1] == UInt8(ascii: "\r") || bytes[index + 1] == UInt8(ascii: "\n")
            let whitespace = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || (whitespace && !atLineEnd)
            // A dot alone at a line start survives SMTP (dot-stuffing), but some gateways mangle it.
            if literal && !(byte == UInt8(ascii: ".") && lineLength == 0) {
                append([byte])
            } else {
                append([UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `=?UTF-8?B?...?=` words of at most 75 characters, split on character boundaries.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 39 bytes -> 52 base64 characters + 12 of framing = 64: a word fits on the first
            // line after a header name like "Subject: ".
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words
    }

    /// Header text: ASCII as it is, anything else as encoded words.
    static func headerText(_ text: String) -> String {
        text.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) ? text : encodedWords(text).joined(separator: " ")
    }

    /// `Name: value` folded at spaces to keep lines near 78 characters (RFC 5322 2.2.3); a run
    /// without spaces stays whole (lines may reach 998).
    static func headerLine(_ name: String, _ value: String) -> String {
        var lines: [String] = []
        var current = "\(name):"
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if current.count + 1 + word.count > 78, current.count > name.count + 1 {
                lines.append(current)
                current = ""
            }
            current += " " + word
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }

    /// `Thu, 03 Dec 2026 08:02:49 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

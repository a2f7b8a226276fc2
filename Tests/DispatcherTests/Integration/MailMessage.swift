import Foundation

/// Just enough of RFC 5322 / MIME to check what the SMTP server received: unfolded headers and
/// the decoded parts of a multipart/alternative body.
struct MailMessage {
    let headers: [(name: String, value: String)]
    let body: String

    init(_ raw: String) {
        let text = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let split = text.range(of: "\n\n")
        let head = split.map { String(text[..<$0.lowerBound]) } ?? text
        body = split.map { String(text[$0.upperBound...]) } ?? ""
        var headers: [(String, String)] = []
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.first == " " || line.first == "\t", let last = headers.popLast() {
                headers.append((last.0, last.1 + " " + line.trimmingCharacters(in: .whitespaces)))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        self.headers = headers
    }

    func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The decoded body of the part with this content type.
    func part(_ contentType: String) -> String? {
        guard let type = header("Content-Type"), let range = type.range(of: "boundary=") else { return nil }
        let boundary = type[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\" ;"))
        for chunk in body.components(separatedBy: "--\(boundary)") {
            let part = MailMessage(chunk.trimmingCharacters(in: .newlines))
            guard part.header("Content-Type")?.lowercased().hasPrefix(contentType) == true else { continue }
            switch part.header("Content-Transfer-Encoding")?.lowercased() {
            case "quoted-printable": return Self.quotedPrintable(part.body)
            case "base64":
                return Data(base64Encoded: part.body.filter { !$0.isWhitespace }).map { String(decoding: $0, as: UTF8.self) }
            default: return part.body
            }
        }
        return nil
    }

    static func quotedPrintable(_ text: String) -> String {
        let joined = text.replacingOccurrences(of: "=\n", with: "")
        var bytes: [UInt8] = []
        var utf8 = Array(joined.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "="), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

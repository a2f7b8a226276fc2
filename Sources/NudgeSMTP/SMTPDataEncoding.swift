/// The DATA section as SMTP wants it: CRLF line ends (bare LF or CR become CRLF), a leading dot
/// doubled (RFC 5321 4.5.2), and the terminating `CRLF.CRLF`.
enum SMTPDataEncoding {
    static func encode(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 64 + 8)
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if byte == cr || byte == lf {
                out.append(cr)
                out.append(lf)
                // CRLF counts once; a lone CR or LF is a line end of its own.
                if byte == cr, index + 1 < message.count, message[index + 1] == lf { index += 1 }
                atLineStart = true
            } else {
                if atLineStart && byte == dot { out.append(dot) }
                out.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart {
            out.append(cr)
            out.append(lf)
        }
        out.append(contentsOf: [dot, cr, lf])
        return out
    }
}

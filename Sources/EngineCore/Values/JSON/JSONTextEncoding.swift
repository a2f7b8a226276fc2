/// Which Unicode encoding a JSON text is in, detected the way Foundation's `JSONDecoder` does so
/// both accept the same inputs: a byte-order mark, else the pattern of zero bytes at the start
/// (RFC 4627 §3). Almost every input is UTF-8 and pays only for a look at its first bytes.
enum JSONTextEncoding: Equatable {
    case utf8(bomLength: Int)
    case utf16(bigEndian: Bool, bomLength: Int)
    case utf32(bigEndian: Bool, bomLength: Int)

    static func detect(_ bytes: UnsafeBufferPointer<UInt8>) -> JSONTextEncoding {
        let count = bytes.count
        if count >= 2 {
            switch (bytes[0], bytes[1]) {
            case (0xEF, 0xBB) where count >= 3 && bytes[2] == 0xBF: return .utf8(bomLength: 3)
            case (0x00, 0x00) where count >= 4 && bytes[2] == 0xFE && bytes[3] == 0xFF:
                return .utf32(bigEndian: true, bomLength: 4)
            case (0xFF, 0xFE) where count >= 4 && bytes[2] == 0 && bytes[3] == 0:
                return .utf32(bigEndian: false, bomLength: 4)
            case (0xFF, 0xFE): return .utf16(bigEndian: false, bomLength: 2)
            case (0xFE, 0xFF): return .utf16(bigEndian: true, bomLength: 2)
            default: break
            }
        }
        if count >= 4 {
            switch (bytes[0] == 0, bytes[1] == 0, bytes[2] == 0, bytes[3] == 0) {
            case (true, true, true, _): return .utf32(bigEndian: true, bomLength: 0)
            case (_, true, true, true): return .utf32(bigEndian: false, bomLength: 0)
            case (true, _, true, _): return .utf16(bigEndian: true, bomLength: 0)
            case (_, true, _, true): return .utf16(bigEndian: false, bomLength: 0)
            default: break
            }
        } else if count >= 2 {
            if bytes[0] == 0 { return .utf16(bigEndian: true, bomLength: 0) }
            if bytes[1] == 0 { return .utf16(bigEndian: false, bomLength: 0) }
        }
        return .utf8(bomLength: 0)
    }

    /// UTF-16 or UTF-32 input as UTF-8; nil when it is not valid in that encoding (odd length,
    /// lone surrogate, scalar out of range), which `JSONDecoder` rejects as well.
    static func transcodeToUTF8(_ bytes: UnsafeBufferPointer<UInt8>, _ encoding: JSONTextEncoding) -> [UInt8]? {
        var scalars: [Unicode.Scalar] = []
        switch encoding {
        case .utf8:
            return Array(bytes)
        case .utf16(let bigEndian, let bomLength):
            let body = bytes.count - bomLength
            guard body % 2 == 0 else { return nil }
            var units: [UInt16] = []
            units.reserveCapacity(body / 2)
            var index = bomLength
            while index < bytes.count {
                let (high, low) = bigEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
                units.append(UInt16(high) << 8 | UInt16(low))
                index += 2
            }
            var decoder = UTF16()
            var iterator = units.makeIterator()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): scalars.append(scalar)
                case .emptyInput: break loop
                case .error: return nil
                }
            }
        case .utf32(let bigEndian, let bomLength):
            let body = bytes.count - bomLength
            guard body % 4 == 0 else { return nil }
            var index = bomLength
            while index < bytes.count {
                var value: UInt32 = 0
                for offset in 0..<4 {
                    let byte = UInt32(bytes[index + (bigEndian ? offset : 3 - offset)])
                    value = value << 8 | byte
                }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                scalars.append(scalar)
                index += 4
            }
        }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(scalars.count)
        for scalar in scalars { UTF8.encode(scalar) { utf8.append($0) } }
        return utf8
    }
}

/// The wire form of commands (RESP2 arrays of bulk strings), written straight into one buffer.
///
/// A pipeline is encoded once and handed to hiredis as a single pre-formatted write: this skips
/// hiredis's per-argument `sdscatfmt` formatting and the argv/length arrays it needs, which were
/// the largest cost of sending an engine batch.
extension RedisCommand {
    /// Appends `*<count>\r\n` and `$<length>\r\n<bytes>\r\n` per argument to `buffer`.
    func appendRESP(to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        RESP.appendDecimal(arguments.count, to: &buffer)
        buffer.append(contentsOf: RESP.lineEnd)
        for argument in arguments {
            buffer.append(UInt8(ascii: "$"))
            RESP.appendDecimal(argument.bytes.count, to: &buffer)
            buffer.append(contentsOf: RESP.lineEnd)
            buffer.append(contentsOf: argument.bytes)
            buffer.append(contentsOf: RESP.lineEnd)
        }
    }

    /// The bytes `appendRESP` writes, for sizing a buffer before writing.
    var respByteCount: Int {
        var count = 3 + RESP.decimalDigits(arguments.count)
        for argument in arguments {
            count += 5 + RESP.decimalDigits(argument.bytes.count) + argument.bytes.count
        }
        return count
    }
}

extension Collection where Element == RedisCommand {
    /// Every command of a pipeline in one buffer, in order.
    func respEncoded() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(reduce(0) { $0 + $1.respByteCount })
        for command in self { command.appendRESP(to: &buffer) }
        return buffer
    }
}

enum RESP {
    static let lineEnd: [UInt8] = [UInt8(ascii: "\r"), UInt8(ascii: "\n")]

    /// Decimal digits of a non-negative value, without going through `String`.
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        precondition(value >= 0, "RESP lengths and counts are never negative")
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    static func decimalDigits(_ value: Int) -> Int {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        return digits
    }
}

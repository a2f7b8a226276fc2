/// Turns the text of one JSON number into a `Value` exactly as `Value.init(from:)` over Foundation's
/// `JSONDecoder` does: it tries `Int64` first, then `Double`. That makes `1.0`, `1e3` and `1e-400`
/// integers; `1.5`, `1e19` and integers beyond Int64 doubles; and numbers whose double is
/// infinite errors. Between 2^53 and 2^63 `JSONDecoder` re-reads an integral-looking number as a
/// `Decimal` and truncates it; `decimalTruncation` mirrors that.
struct JSONNumber {
    var negative: Bool
    /// Offsets into the input: integer digits, fraction digits (empty range if none), exponent
    /// digits (empty if none) and the exponent's sign.
    var integer: Range<Int>
    var fraction: Range<Int>
    var exponent: Range<Int>
    var exponentNegative: Bool

    /// The grammar puts digits after every `.` and `e`, so empty ranges mean no such part.
    var isPlainInteger: Bool { fraction.isEmpty && exponent.isEmpty }

    /// 2^53: below it every integer is a double and the double route is exact.
    static let exactDoubleLimit = 9_007_199_254_740_992.0

    func value(in bytes: UnsafeBufferPointer<UInt8>, text: Range<Int>) -> Value? {
        if isPlainInteger, let plain = plainInteger(in: bytes) { return .int(plain) }
        let double = doubleValue(in: bytes, text: text)
        if let integral = Int64(exactly: double) {
            if double.magnitude < Self.exactDoubleLimit { return .int(integral) }
            if let truncated = decimalTruncation(in: bytes) { return .int(truncated) }
        }
        // The Double route of `JSONDecoder`: infinities are refused. Zero never gets here: it is an integer.
        guard double.isFinite else { return nil }
        return .double(double)
    }

    /// Digits only, within Int64: parsed directly with overflow checks.
    private func plainInteger(in bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var magnitude: UInt64 = 0
        for index in integer {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] &- 48))
            if overflow1 || overflow2 { return nil }
            magnitude = sum
        }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return .min }
            return Int64(exactly: magnitude).map { -$0 }
        }
        return Int64(exactly: magnitude)
    }

    private static let powersOf10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
        1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Correctly rounded, like strtod: exact small cases by one multiplication or division of
    /// exactly representable values (Clinger's fast path), the rest by the standard library.
    private func doubleValue(in bytes: UnsafeBufferPointer<UInt8>, text: Range<Int>) -> Double {
        var significand: UInt64 = 0
        var digits = 0
        for index in integer where digits < 20 {
            significand = significand &* 10 &+ UInt64(bytes[index] &- 48)
            digits += 1
        }
        for index in fraction where digits < 20 {
            significand = significand &* 10 &+ UInt64(bytes[index] &- 48)
            digits += 1
        }
        if digits == integer.count + fraction.count, digits <= 19, significand <= 1 << 53, exponent.count <= 3 {
            var power = 0
            for index in exponent { power = power * 10 + Int(bytes[index] &- 48) }
            if exponentNegative { power = -power }
            power -= fraction.count
            if (-22...22).contains(power) {
                let magnitude = Double(significand)
                let result = power < 0 ? magnitude / Self.powersOf10[-power] : magnitude * Self.powersOf10[power]
                return negative ? -result : result
            }
        }
        let string = String(decoding: UnsafeBufferPointer(rebasing: bytes[text]), as: UTF8.self)
        // The text passed the JSON number grammar, which the standard library parser accepts.
        return Double(string) ?? .nan
    }

    /// `Decimal` parsing (128-bit significand, Int8 exponent, trailing zeros compacted) followed by
    /// Foundation's `FixedWidthInteger(Decimal)`, which truncates fractions digit by digit.
    func decimalTruncation(in bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var significand: UInt128 = 0
        var scale = 0
        var tooBig = false
        for index in integer {
            let digit = UInt128(bytes[index] &- 48)
            if !tooBig {
                let (times10, overflow1) = significand.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(digit)
                if !(overflow1 || overflow2) {
                    significand = sum
                    continue
                }
                tooBig = true
            }
            if scale == Int(Int8.max) { return nil }
            scale += 1
        }
        for index in fraction where !tooBig {
            let (times10, overflow1) = significand.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt128(bytes[index] &- 48))
            if overflow1 || overflow2 {
                tooBig = true
                continue
            }
            significand = sum
            if scale == Int(Int8.min) { return nil }
            scale -= 1
        }
        if !exponent.isEmpty {
            var power = 0
            for index in exponent {
                power = 10 * power + Int(bytes[index] &- 48)
                if power > 2 * Int(Int8.max) { return nil }
            }
            scale += exponentNegative ? -power : power
            guard (Int(Int8.min)...Int(Int8.max)).contains(scale) else { return nil }
        }
        while significand != 0, significand % 10 == 0, scale < Int(Int8.max) {
            significand /= 10
            scale += 1
        }
        guard var magnitude = UInt64(exactly: significand) else { return nil }
        if scale < 0 {
            for _ in 0..<(-scale) { magnitude /= 10 }
        } else {
            for _ in 0..<scale {
                let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                magnitude = times10
            }
        }
        guard let sized = Int64(exactly: magnitude) else { return nil }
        return negative ? -sized : sized
    }
}

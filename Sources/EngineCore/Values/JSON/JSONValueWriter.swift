/// Writes `Value`s as compact JSON bytes identical to what `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` produces for them (keys in UTF-8 byte order, doubles in Swift's
/// shortest form without a trailing `.0`, only `"`, `\` and control characters escaped), so ids
/// and keys built from `jsonText` and stored states keep their exact bytes.
public struct JSONValueWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public static func bytes(_ value: Value) throws(JSONWriteError) -> [UInt8] {
        var writer = JSONValueWriter()
        try writer.write(value)
        return writer.bytes
    }

    public mutating func write(_ value: Value) throws(JSONWriteError) {
        switch value {
        case .null: writeASCII("null")
        case .bool(let flag): writeASCII(flag ? "true" : "false")
        case .int(let number): write(number)
        case .double(let number): try write(number)
        case .string(let text): write(text)
        case .timestamp(let instant):
            writeASCII("{\"$ts\":")
            write(instant.milliseconds)
            bytes.append(UInt8(ascii: "}"))
        case .span(let span):
            writeASCII("{\"$ms\":")
            write(span.milliseconds)
            bytes.append(UInt8(ascii: "}"))
        case .list(let items):
            bytes.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                try write(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let fields):
            try write(fields) { writer, value throws(JSONWriteError) in try writer.write(value) }
        }
    }

    /// An object with keys in `JSONEncoder`'s `.sortedKeys` order (UTF-8 bytes) and each value
    /// written by `writeValue`; for typed maps such as `[String: Timestamp]` too.
    public mutating func write<Element>(
        _ fields: [String: Element], _ writeValue: (inout JSONValueWriter, Element) throws(JSONWriteError) -> Void
    ) throws(JSONWriteError) {
        bytes.append(UInt8(ascii: "{"))
        let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for (position, field) in sorted.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            write(field.key)
            bytes.append(UInt8(ascii: ":"))
            try writeValue(&self, field.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func write(_ number: Int64) {
        var magnitude = number.magnitude
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let first = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var position = first + digits - 1
        while magnitude > 0 {
            bytes[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            position -= 1
        }
    }

    public mutating func write(_ number: Int) {
        write(Int64(number))
    }

    public mutating func write(_ number: Double) throws(JSONWriteError) {
        guard number.isFinite else { throw JSONWriteError(value: number) }
        var text = number.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func write(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        if text.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) == nil {
            appendEscaped(Array(text.utf8))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A literal such as `{"c":` for hand-written codecs; must already be valid JSON text.
    public mutating func writeASCII(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func appendEscaped(_ utf8: some Collection<UInt8>) {
        var runStart = utf8.startIndex
        var position = utf8.startIndex
        while position != utf8.endIndex {
            let byte = utf8[position]
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                utf8.formIndex(after: &position)
                continue
            }
            bytes.append(contentsOf: utf8[runStart..<position])
            appendEscape(for: byte)
            utf8.formIndex(after: &position)
            runStart = position
        }
        bytes.append(contentsOf: utf8[runStart..<position])
    }

    private mutating func appendEscape(for byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0xF)])
        }
    }
}

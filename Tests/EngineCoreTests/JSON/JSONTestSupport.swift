import Foundation

@testable import EngineCore

/// The reference the new JSON code is held to: Foundation's coders through `Value`'s `Codable`.
enum ReferenceJSON {
    static func decode(_ bytes: [UInt8]) -> Value? {
        try? JSONDecoder().decode(Value.self, from: Data(bytes))
    }

    static func encode(_ value: Value) -> [UInt8]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { Array($0) }
    }
}

/// `Value ==` is lenient (`2 == 2.0`, canonically equivalent strings); this spells out kind,
/// double bits and scalars so comparisons catch any difference in meaning.
func strictDump(_ value: Value) -> String {
    switch value {
    case .null: return "null"
    case .bool(let flag): return "bool(\(flag))"
    case .int(let number): return "int(\(number))"
    case .double(let number): return "double(\(number.bitPattern))"
    case .string(let text): return "string(\(text.unicodeScalars.map { String($0.value, radix: 16) }))"
    case .timestamp(let instant): return "ts(\(instant.milliseconds))"
    case .span(let span): return "span(\(span.milliseconds))"
    case .list(let items): return "[" + items.map(strictDump).joined(separator: ",") + "]"
    case .object(let fields):
        let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        let inner = sorted.map { "\(strictDump(.string($0.key))):\(strictDump($0.value))" }
        return "{" + inner.joined(separator: ",") + "}"
    }
}

/// Builds values and JSON texts from a stream of generated integers, so the property library's
/// generators and shrinking work on plain `[Int]` while the shapes stay varied.
struct JSONGenerator {
    var codes: [Int]
    var position = 0

    init(_ codes: [Int]) { self.codes = codes.isEmpty ? [0] : codes }

    mutating func next(_ bound: Int) -> Int {
        defer { position += 1 }
        return abs(codes[position % codes.count] &+ position &* 7919) % max(bound, 1)
    }

    static let keyPool = ["a", "b", "name", "é", "e\u{301}", "$ts", "$ms", "", "Z", "10", "9", "emoji😀", "～", "a\"b"]
    static let stringPool = [
        "", "x", "hello world", "quote\"back\\slash", "/slash", "tab\tnew\nline\r", "\u{0}\u{1}\u{1f}\u{7f}",
        "é", "e\u{301}", "😀", "\u{2028}\u{2029}", "\u{FFFF}", "\u{10FFFF}", "日本語", "2026-11-22T10:00:00Z",
    ]
    static let doublePool: [Double] = [
        0.5, -0.5, 1.5, 12.5, 0.1, 1e-7, 1e-6, 2.5e-5, 1e16, 1e20, 1e21, 1e300, 5e-324, 1.7976931348623157e308,
        123456789.123, -0.0, 0.0, 1.0, 100.0, 9007199254740992.0, 9007199254740994.0, 9.3e18, -9.3e18,
        12345678901234567.0, 3.141592653589793,
    ]
    static let intPool: [Int64] = [
        0, 1, -1, 42, 1000, Int64.max, Int64.min, 9_007_199_254_740_993, -9_007_199_254_740_993, 1_780_000_000_000,
    ]

    mutating func value(depth: Int = 0) -> Value {
        let kinds = depth >= 4 ? 7 : 9
        switch next(kinds) {
        case 0: return .null
        case 1: return .bool(next(2) == 0)
        case 2: return next(3) == 0 ? .int(Self.intPool[next(Self.intPool.count)]) : .int(Int64(next(2001)) - 1000)
        case 3: return .double(Self.doublePool[next(Self.doublePool.count)])
        case 4: return .string(Self.stringPool[next(Self.stringPool.count)])
        case 5: return .timestamp(Timestamp(milliseconds: Int64(next(1_000_000)) * 1_000_003))
        case 6: return .span(TimeSpan(milliseconds: Int64(next(100_000))))
        case 7: return .list((0..<next(4)).map { _ in value(depth: depth + 1) })
        default:
            var fields: [String: Value] = [:]
            for _ in 0..<next(4) { fields[Self.keyPool[next(Self.keyPool.count)]] = value(depth: depth + 1) }
            return .object(fields)
        }
    }

    /// The first `validNumberCount` texts are numbers `JSONDecoder` accepts; the rest it refuses.
    static let validNumberCount = 51
    static let numberTexts = [
        "0", "-0", "1", "-1", "1.0", "-1.0", "0.0", "-0.0", "1e3", "1E3", "1e+3", "1.5e1", "1.5", "12.5", "0.1",
        "1e-5", "1e-400", "-1e-400", "0e-400", "5e-324", "2.5e-324", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "12345678901234567890", "123456789012345678901234567890",
        "1e19", "1e18", "1.0e18", "9007199254740993", "9007199254740993.0", "9007199254740993.5",
        "-9.2233720368547748e18", "-9223372036854775808.0", "9223372036854775807.0", "9223372036854774784.0",
        "4611686018427387904.0", "1.00000000000000000001", "9007199254740993.0000000000000000000000001", "100e-2",
        "0.1e1", "123.456e-2", "1e0", "1E-0", "25e-1", "3.000000000000000000000000000000000000000000e15",
        "9007199254740992e1", "92233720368547758070e-1", "1000000000000000000000e-3", "922337203685477580.7e1",
        "1e400", "-1e400", "1.7976931348623159e308", "01", "-", "1.", ".5", "+1", "1e", "1e+", "00", "-01", "1.e5",
        "1.5.5", "1e5e5", "--1", "1-2", "0x10",
    ]

    /// A JSON text (sometimes broken) with varied spacing, escapes and number spellings.
    /// Malformed numbers only outside objects: inside one, a duplicate key's later value is
    /// never decoded by `JSONDecoder`, so a bad number there is a known, deliberate difference.
    mutating func text(depth: Int = 0, inObject: Bool = false) -> String {
        let space = [" ", "", "\n", "\t", "\r\n", "  "][next(6)]
        switch next(depth >= 4 ? 6 : 8) {
        case 0: return space + ["null", "true", "false"][next(3)] + space
        case 1, 2:
            let pool = inObject ? Self.numberTexts.prefix(Self.validNumberCount) : Self.numberTexts[...]
            return space + pool[next(pool.count)] + space
        case 3, 4: return space + stringText() + space
        case 5: return space + ["{\"$ts\":5}", "{\"$ms\":-7}", "{\"$ts\":5.0}", "{\"$ts\":5.5}", "{\"$ts\":\"5\"}"][next(5)]
        case 6:
            let items = (0..<next(4)).map { _ in text(depth: depth + 1, inObject: inObject) }
            return space + "[" + items.joined(separator: ",") + "]" + space
        default:
            let fields = (0..<next(4)).map { _ in stringText(key: true) + space + ":" + text(depth: depth + 1, inObject: true) }
            return space + "{" + fields.joined(separator: ",") + "}" + space
        }
    }

    mutating func stringText(key: Bool = false) -> String {
        let pool = key ? Self.keyPool : Self.stringPool
        var out = "\""
        for scalar in pool[next(pool.count)].unicodeScalars {
            switch next(4) {
            case 0 where scalar.value <= 0xFFFF:
                out += String(format: "\\u%04X", scalar.value)
            case 0:
                let offset = scalar.value - 0x10000
                out += String(format: "\\u%04x\\u%04x", 0xD800 + (offset >> 10), 0xDC00 + (offset & 0x3FF))
            default:
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                case "/": out += next(2) == 0 ? "\\/" : "/"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

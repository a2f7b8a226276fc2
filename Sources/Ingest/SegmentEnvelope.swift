import EngineCore

/// What a Segment event is and whom it is for, read from its top-level fields without building
/// the event: `type`, `event` or `name`, `userId` and `anonymousId`. A backtest uses it to count the
/// records no scenario listens to (half of a realistic stream) at a fraction of a full decode.
///
/// Conservative: it answers only for plain cases (UTF-8 without BOM, those fields absent, null or
/// strings without escapes or non-ASCII bytes, the document well nested) and returns nil for
/// anything else, which then goes through `EventDecoder`. It does not check the fields it skips
/// (timestamps, properties): that is the full decode's job.
public struct SegmentEnvelope: Sendable, Equatable {
    public var kind: Event.Kind
    /// The track's `event`, the `name` of the others (empty when absent).
    public var name: String
    /// `userId`, else `anonymousId`, as `Event.customerId`.
    public var customerId: String

    public init(kind: Event.Kind, name: String, customerId: String) {
        self.kind = kind
        self.name = name
        self.customerId = customerId
    }

    public static func scan(_ bytes: [UInt8]) -> SegmentEnvelope? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = EnvelopeScanner(bytes: buffer)
            return scanner.envelope()
        }
    }
}

/// The byte walk behind `SegmentEnvelope.scan`. Every method returns nil (or false) as soon as
/// the input leaves the plain case.
private struct EnvelopeScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    private enum Field: Int, CaseIterable {
        case type, event, name, userId, anonymousId

        var key: StaticString {
            switch self {
            case .type: "type"
            case .event: "event"
            case .name: "name"
            case .userId: "userId"
            case .anonymousId: "anonymousId"
            }
        }
    }

    /// The fields read so far; `seen` has a bit per `Field`, set at its first occurrence.
    private struct Found {
        var values: (String?, String?, String?, String?, String?) = (nil, nil, nil, nil, nil)
        var seen: UInt8 = 0

        subscript(field: Field) -> String? {
            get {
                switch field {
                case .type: values.0
                case .event: values.1
                case .name: values.2
                case .userId: values.3
                case .anonymousId: values.4
                }
            }
            set {
                switch field {
                case .type: values.0 = newValue
                case .event: values.1 = newValue
                case .name: values.2 = newValue
                case .userId: values.3 = newValue
                case .anonymousId: values.4 = newValue
                }
            }
        }

        /// True the first time `field` is marked.
        mutating func markFirst(_ field: Field) -> Bool {
            let bit: UInt8 = 1 << field.rawValue
            defer { seen |= bit }
            return seen & bit == 0
        }
    }

    mutating func envelope() -> SegmentEnvelope? {
        var found = Found()
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        if !take(UInt8(ascii: "}")) {
            while true {
                guard let key = plainString() else { return nil }
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                // The first of duplicate keys counts, as in the full decode.
                if let field = field(at: key), found.markFirst(field) {
                    if peek == UInt8(ascii: "\"") {
                        guard let text = plainString() else { return nil }
                        found[field] = String(decoding: UnsafeBufferPointer(rebasing: bytes[text]), as: UTF8.self)
                    } else if !takeNull() {
                        return nil
                    }
                } else {
                    guard skipValue(depth: 0) else { return nil }
                }
                skipWhitespace()
                if take(UInt8(ascii: ",")) {
                    skipWhitespace()
                    continue
                }
                guard take(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        skipWhitespace()
        guard index == bytes.count else { return nil }
        return Self.resolve(found)
    }

    private static func resolve(_ found: Found) -> SegmentEnvelope? {
        guard let kind = Event.Kind(rawValue: found[.type] ?? "track") else { return nil }
        let name: String
        switch kind {
        case .track:
            guard let event = found[.event], !event.isEmpty else { return nil }
            name = event
        // As the full decode: every kind but track takes `name`.
        case .page, .screen, .identify: name = found[.name] ?? ""
        }
        let userId = found[.userId].flatMap { $0.isEmpty ? nil : $0 }
        let anonymousId = found[.anonymousId].flatMap { $0.isEmpty ? nil : $0 }
        guard let customer = userId ?? anonymousId else { return nil }
        return SegmentEnvelope(kind: kind, name: name, customerId: customer)
    }

    private func field(at key: Range<Int>) -> Field? {
        for field in Field.allCases {
            let name = field.key
            guard name.utf8CodeUnitCount == key.count else { continue }
            let text = name.utf8Start
            var offset = 0
            while offset < key.count, text[offset] == bytes[key.lowerBound + offset] { offset += 1 }
            if offset == key.count { return field }
        }
        return nil
    }

    // MARK: Bytes

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func takeNull() -> Bool {
        guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    /// A string of printable ASCII without escapes; its contents' range, the quotes consumed.
    private mutating func plainString() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while let byte = peek {
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// Skips any JSON value, checking only that strings end and brackets nest.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < JSONValueParser.maximumDepth, let byte = peek else { return false }
        switch byte {
        case UInt8(ascii: "\""): return skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if take(close) { return true }
            while true {
                if close == UInt8(ascii: "}") {
                    guard skipString() else { return false }
                    skipWhitespace()
                    guard take(UInt8(ascii: ":")) else { return false }
                    skipWhitespace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                if take(close) { return true }
                guard take(UInt8(ascii: ",")) else { return false }
                skipWhitespace()
            }
        default:
            // A number or a literal: up to the next delimiter.
            let start = index
            while let next = peek, next != UInt8(ascii: ","), next != UInt8(ascii: "}"), next != UInt8(ascii: "]"),
                next != 0x20, next != 0x0A, next != 0x0D, next != 0x09
            {
                index += 1
            }
            return index > start
        }
    }

    private mutating func skipString() -> Bool {
        guard take(UInt8(ascii: "\"")) else { return false }
        while let byte = peek {
            index += 1
            if byte == UInt8(ascii: "\"") { return true }
            if byte == UInt8(ascii: "\\") { index += 1 }
        }
        return false
    }
}

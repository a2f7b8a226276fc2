/// Values encode as plain JSON. Instants and spans, which JSON lacks, encode as one-key objects
/// (`{"$ts": ms}`, `{"$ms": ms}`) so a stored state decodes back to an equal value.
extension Value: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: Key.self) {
            var fields: [String: Value] = [:]
            for key in container.allKeys {
                fields[key.stringValue] = try container.decode(Value.self, forKey: key)
            }
            if fields.count == 1, let (key, inner) = fields.first, case .int(let ms) = inner {
                if key == "$ts" {
                    self = .timestamp(Timestamp(milliseconds: ms))
                    return
                }
                if key == "$ms" {
                    self = .span(TimeSpan(milliseconds: ms))
                    return
                }
            }
            self = .object(fields)
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var items: [Value] = []
            while !container.isAtEnd { items.append(try container.decode(Value.self)) }
            self = .list(items)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .double(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .timestamp(let value):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value.milliseconds, forKey: Key(stringValue: "$ts"))
        case .span(let value):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value.milliseconds, forKey: Key(stringValue: "$ms"))
        case .list(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .object(let fields):
            var container = encoder.container(keyedBy: Key.self)
            for (key, value) in fields { try container.encode(value, forKey: Key(stringValue: key)) }
        }
    }

    /// Compact JSON with sorted keys, for ids, logs and the simulator's output: the bytes
    /// `JSONEncoder` (`.sortedKeys`, `.withoutEscapingSlashes`) writes, or `null` for a non-finite double.
    public var jsonText: String {
        guard let bytes = try? JSONValueWriter.bytes(self) else { return "null" }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Why stored customer state could not be read: the JSON itself, or a field of the wrong kind,
/// with the path to it (`i[0].v`) so a bad record in Redis can be found.
public struct StoredStateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? "stored state: \(message)" : "stored state at \(path): \(message)" }
}

/// Typed reads of one object of stored state with the semantics of the `Codable` conformances it
/// replaces: a missing required key or a null in it is an error, an optional key may be missing
/// or null, unknown keys are ignored, and a number must already be an integer where one is needed.
struct StoredObject {
    let fields: [String: Value]
    let path: String

    init(_ value: Value, path: String) throws(StoredStateError) {
        guard let fields = value.storedObjectFields else {
            throw StoredStateError(path: path, message: "expected an object, found \(value.storedKind)")
        }
        self.fields = fields
        self.path = path
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func required(_ key: String) throws(StoredStateError) -> Value {
        switch fields[key] {
        case nil: throw StoredStateError(path: at(key), message: "missing")
        case .null?: throw StoredStateError(path: at(key), message: "null where a value is required")
        case let value?: return value
        }
    }

    func optional(_ key: String) -> Value? {
        switch fields[key] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    func string(_ key: String) throws(StoredStateError) -> String {
        try Self.string(try required(key), path: at(key))
    }

    func int(_ key: String) throws(StoredStateError) -> Int64 {
        try Self.int(try required(key), path: at(key))
    }

    func timestamp(_ key: String) throws(StoredStateError) -> Timestamp {
        Timestamp(milliseconds: try int(key))
    }

    func bool(_ key: String) throws(StoredStateError) -> Bool {
        guard case .bool(let flag) = try required(key) else {
            throw StoredStateError(path: at(key), message: "expected a boolean, found \(try required(key).storedKind)")
        }
        return flag
    }

    func optionalString(_ key: String) throws(StoredStateError) -> String? {
        guard let value = optional(key) else { return nil }
        return try Self.string(value, path: at(key))
    }

    /// A list, each element read by `element` with its index in the path.
    func list<Element>(
        _ key: String, _ element: (Value, String) throws(StoredStateError) -> Element
    ) throws(StoredStateError) -> [Element]? {
        guard let value = optional(key) else { return nil }
        guard case .list(let items) = value else {
            throw StoredStateError(path: at(key), message: "expected a list, found \(value.storedKind)")
        }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { result.append(try element(item, "\(at(key))[\(index)]")) }
        return result
    }

    /// A map from string keys, each value read by `element`.
    func map<Element>(
        _ key: String, _ element: (Value, String) throws(StoredStateError) -> Element
    ) throws(StoredStateError) -> [String: Element]? {
        guard let value = optional(key) else { return nil }
        let inner = try StoredObject(value, path: at(key))
        var result: [String: Element] = [:]
        result.reserveCapacity(inner.fields.count)
        for (name, item) in inner.fields { result[name] = try element(item, inner.at(name)) }
        return result
    }

    static func string(_ value: Value, path: String) throws(StoredStateError) -> String {
        guard case .string(let text) = value else {
            throw StoredStateError(path: path, message: "expected a string, found \(value.storedKind)")
        }
        return text
    }

    static func int(_ value: Value, path: String) throws(StoredStateError) -> Int64 {
        guard case .int(let number) = value else {
            throw StoredStateError(path: path, message: "expected an integer, found \(value.storedKind)")
        }
        return number
    }
}

extension Value {
    /// The fields of a JSON object. The parser reads `{"$ts": 5}` as an instant; where stored
    /// state has a map (a profile, timers by id) such an object is still a map with one key.
    var storedObjectFields: [String: Value]? {
        switch self {
        case .object(let fields): fields
        case .timestamp(let instant): ["$ts": .int(instant.milliseconds)]
        case .span(let span): ["$ms": .int(span.milliseconds)]
        default: nil
        }
    }

    var storedKind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a non-integral number"
        case .string: "a string"
        case .timestamp, .span, .object: "an object"
        case .list: "a list"
        }
    }
}

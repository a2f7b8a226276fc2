/// The stored form of a customer (the Redis `state` field), written and read by hand instead of
/// through JSONEncoder/JSONDecoder, which cost a fifth of the engine's CPU under load. The bytes
/// are exactly what the `Codable` conformances produce with `.sortedKeys` and
/// `.withoutEscapingSlashes`, so states already in Redis read back unchanged and new ones are
/// still readable by the `Codable` path. Keys below are written in that sorted order.
extension CustomerState {
    public func storedJSON() throws(JSONWriteError) -> [UInt8] {
        var writer = JSONValueWriter(capacity: 512)
        try write(into: &writer)
        return writer.bytes
    }

    public init(storedJSON bytes: [UInt8]) throws(StoredStateError) {
        let value: Value
        do {
            value = try JSONValueParser.parse(bytes)
        } catch {
            throw StoredStateError(path: "", message: "not JSON: \(error)")
        }
        self = try CustomerState(stored: value, path: "")
    }

    func write(into writer: inout JSONValueWriter) throws(JSONWriteError) {
        writer.writeASCII("{\"c\":")
        writer.write(customerId)
        if !entries.isEmpty {
            writer.writeASCII(",\"e\":")
            try writer.write(entries) { writer, entry throws(JSONWriteError) in entry.write(into: &writer) }
        }
        if !instances.isEmpty {
            writer.writeASCII(",\"i\":[")
            for (position, instance) in instances.enumerated() {
                if position > 0 { writer.writeASCII(",") }
                try instance.write(into: &writer)
            }
            writer.writeASCII("]")
        }
        if !contact.isEmpty {
            writer.writeASCII(",\"k\":")
            try contact.write(into: &writer)
        }
        if !profile.isEmpty {
            writer.writeASCII(",\"p\":")
            try writer.write(profile) { writer, value throws(JSONWriteError) in try writer.write(value) }
        }
        if !triggerTimers.isEmpty {
            writer.writeASCII(",\"t\":")
            try writer.write(triggerTimers) { writer, due throws(JSONWriteError) in writer.write(due.milliseconds) }
        }
        writer.writeASCII("}")
    }

    init(stored value: Value, path: String) throws(StoredStateError) {
        let object = try StoredObject(value, path: path)
        self.init(
            customerId: try object.string("c"),
            profile: try object.map("p") { value, _ in value } ?? [:],
            instances: try object.list("i") { value, path throws(StoredStateError) in
                try InstanceState(stored: value, path: path)
            } ?? [],
            entries: try object.map("e") { value, path throws(StoredStateError) in
                try EntryRecord(stored: value, path: path)
            } ?? [:],
            triggerTimers: try object.map("t") { value, path throws(StoredStateError) in
                Timestamp(milliseconds: try StoredObject.int(value, path: path))
            } ?? [:],
            contact: try object.optional("k").map { value throws(StoredStateError) in
                try ContactState(stored: value, path: object.at("k"))
            } ?? ContactState())
    }
}

extension EntryRecord {
    func write(into writer: inout JSONValueWriter) {
        writer.writeASCII("{\"l\":")
        writer.write(lastEntered.milliseconds)
        writer.writeASCII(",\"n\":")
        writer.write(count)
        writer.writeASCII("}")
    }

    init(stored value: Value, path: String) throws(StoredStateError) {
        let object = try StoredObject(value, path: path)
        self.init(lastEntered: try object.timestamp("l"), count: Int(try object.int("n")))
    }
}

extension PendingTimer {
    func write(into writer: inout JSONValueWriter) {
        writer.writeASCII("{\"at\":")
        writer.write(at.milliseconds)
        writer.writeASCII(",\"id\":")
        writer.write(id)
        writer.writeASCII("}")
    }

    init(stored value: Value, path: String) throws(StoredStateError) {
        let object = try StoredObject(value, path: path)
        self.init(id: try object.string("id"), at: try object.timestamp("at"))
    }
}

extension InstanceState {
    func write(into writer: inout JSONValueWriter) throws(JSONWriteError) {
        writer.writeASCII("{\"a\":")
        writer.write(startedAt.milliseconds)
        if !slots.isEmpty {
            writer.writeASCII(",\"c\":[")
            for (position, slot) in slots.enumerated() {
                if position > 0 { writer.writeASCII(",") }
                writer.write(slot)
            }
            writer.writeASCII("]")
        }
        if let holdout {
            writer.writeASCII(",\"h\":")
            writer.write(holdout.rawValue)
        }
        writer.writeASCII(",\"i\":")
        writer.write(id)
        if let key {
            writer.writeASCII(",\"k\":")
            writer.write(key)
        }
        writer.writeASCII(",\"n\":")
        writer.write(visits)
        writer.writeASCII(",\"p\":")
        writer.write(step)
        writer.writeASCII(",\"s\":")
        writer.write(scenario)
        if let timer {
            writer.writeASCII(",\"t\":")
            timer.write(into: &writer)
        }
        writer.writeASCII(",\"v\":")
        writer.write(version)
        if !vars.isEmpty {
            writer.writeASCII(",\"x\":")
            try writer.write(vars) { writer, value throws(JSONWriteError) in try writer.write(value) }
        }
        writer.writeASCII("}")
    }

    init(stored value: Value, path: String) throws(StoredStateError) {
        let object = try StoredObject(value, path: path)
        self.init(
            id: try object.string("i"),
            scenario: try object.string("s"),
            version: Int(try object.int("v")),
            step: try object.string("p"),
            visits: Int(try object.int("n")),
            key: try object.optionalString("k"),
            vars: try object.map("x") { value, _ in value } ?? [:],
            timer: try object.optional("t").map { value throws(StoredStateError) in
                try PendingTimer(stored: value, path: object.at("t"))
            },
            startedAt: try object.timestamp("a"),
            slots: try object.list("c") { value, path throws(StoredStateError) in
                try StoredObject.string(value, path: path)
            } ?? [],
            holdout: try Self.holdoutArm(object))
    }

    /// A holdout arm this build does not know is an error: reading it as "not held out" would send
    /// to a customer who was meant to get nothing.
    private static func holdoutArm(_ object: StoredObject) throws(StoredStateError) -> HoldoutArm? {
        guard let text = try object.optionalString("h") else { return nil }
        guard let arm = HoldoutArm(rawValue: text) else {
            throw StoredStateError(path: object.at("h"), message: "unknown holdout arm '\(text)'")
        }
        return arm
    }
}

import EngineCore
import NudgeRecords

// The outbox record as a `Value` tree, written by the core's JSONValueWriter like the shared
// records' `jsonValue` (NudgeRecords/RecordJSON.swift).

enum RecordJSON {
    static func text(_ value: Value) throws -> String {
        String(decoding: try JSONValueWriter.bytes(value), as: UTF8.self)
    }
}

extension OutboxRecord {
    var jsonValue: Value {
        var fields: [String: Value] = [
            "id": .string(id), "topic": .string(topic), "key": .string(key), "value": .string(value),
        ]
        if let partition { fields["partition"] = .int(Int64(partition)) }
        return .object(fields)
    }
}

import EngineCore
import NudgeRecords
import ProcessSupport
import Foundation

/// A customer as stored in Redis: the core's state plus what the runtime needs to apply each
/// input exactly once.
struct CustomerRecord: Sendable {
    var state: CustomerState
    /// `topic/partition` -> offset of the last record from there applied to this customer. A
    /// record at or below it is a replay (after a crash before the offset commit) and is skipped.
    /// Per partition, because one customer's events can arrive on several partitions when
    /// producers key differently.
    var appliedOffsets: [String: Int64]
    /// Set when this (anonymous) id was merged into a known customer: its inputs go there.
    var alias: String?
    /// Bumped by every commit; a commit carries the version it read and fails if it moved.
    var version: Int64

    static func empty(_ customerId: String) -> CustomerRecord {
        CustomerRecord(state: CustomerState(customerId: customerId), appliedOffsets: [:], alias: nil, version: 0)
    }

    /// From `HGETALL` of `RedisKeys.customer`: alternating field and value.
    static func decode(customerId: String, fields: [(String, [UInt8])]) throws -> CustomerRecord {
        var record = CustomerRecord.empty(customerId)
        for (field, value) in fields {
            if field == RedisKeys.stateField {
                record.state = try StateCoding.decode(value)
            } else if field == RedisKeys.aliasField {
                record.alias = String(decoding: value, as: UTF8.self)
            } else if field == RedisKeys.versionField {
                record.version = Int64(String(decoding: value, as: UTF8.self)) ?? 0
            } else if field.hasPrefix("o:"), let offset = Int64(String(decoding: value, as: UTF8.self)) {
                record.appliedOffsets[String(field.dropFirst(2))] = offset
            }
        }
        return record
    }
}

/// JSON with the core's short coding keys: a customer with an active instance stays near a few
/// hundred bytes. Customer state goes through the core's hand-written codec (the bytes of
/// Foundation's coders, at a fraction of their cost: they were a fifth of the engine's CPU); the
/// decoder remains for the outbox records a recovery reads back.
enum StateCoding {
    static func encode(_ state: CustomerState) throws -> [UInt8] {
        try state.storedJSON()
    }

    static func decode(_ bytes: [UInt8]) throws -> CustomerState {
        try CustomerState(storedJSON: bytes)
    }

    static let decoder = JSONDecoder()
}

import NudgeRecords
import ProcessSupport
import EngineCore
import Logging
import NudgeRedis

/// Reads a customer's content slots the engine wrote (`<prefix>:slots:{id}`, see `RedisKeys`) in
/// one Redis round trip: the requested slots and, in the same pipeline, whether the id is an
/// anonymous id merged into a known customer. Only then a second round trip reads the known
/// customer's slots (the anonymous id's own may be stale: its scenarios moved on with the merge).
struct ContentSlotReader: Sendable {
    let redis: RedisClient
    let keys: RedisKeys
    let logger: Logger

    struct Result: Sendable {
        /// The customer whose slots were read: the requested id, or the known customer it merged into.
        var customerId: String
        var aliasedFrom: String?
        /// Slots with live (unexpired) content; absent slots are missing.
        var contents: [String: SlotContent]
    }

    func read(customerId: String, slots: [String], now: Timestamp) async throws -> Result {
        let replies = try await redis.pipeline([
            RedisCommand("HMGET", arguments: [RedisArgument(keys.slots(customerId))] + slots.map { RedisArgument($0) }),
            RedisCommand("HGET", keys.customer(customerId), RedisKeys.aliasField),
        ])
        guard replies.count == 2 else {
            throw RedisError(code: .protocolError, message: "expected 2 replies, got \(replies.count)")
        }
        try replies[0].throwingError(command: "HMGET")
        if let known = try replies[1].throwingError(command: "HGET").string, !known.isEmpty, known != customerId {
            let reply = try await redis.send(
                RedisCommand("HMGET", arguments: [RedisArgument(keys.slots(known))] + slots.map { RedisArgument($0) }))
            return Result(
                customerId: known, aliasedFrom: customerId,
                contents: decode(reply, slots: slots, customerId: known, now: now))
        }
        return Result(
            customerId: customerId, aliasedFrom: nil,
            contents: decode(replies[0], slots: slots, customerId: customerId, now: now))
    }

    /// Undecodable content is logged and treated as absent: a bad entry must not break a page.
    private func decode(_ reply: RedisReply, slots: [String], customerId: String, now: Timestamp) -> [String:
        SlotContent]
    {
        let values = reply.array ?? []
        var contents: [String: SlotContent] = [:]
        for (slot, value) in zip(slots, values) {
            guard case .bulk(let bytes) = value else { continue }
            do {
                let content = try SlotContent(storedJSON: bytes)
                if let expiresAt = content.expiresAt, expiresAt < now { continue }
                contents[slot] = content
            } catch {
                logger.warning(
                    "undecodable slot content ignored",
                    metadata: [
                        APILogKeys.customerId: "\(customerId)", "content.slot": "\(slot)", APILogKeys.error: "\(error)",
                    ])
            }
        }
        return contents
    }
}

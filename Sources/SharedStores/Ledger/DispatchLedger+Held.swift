import EngineCore
import NudgeRedis

/// Held messages: what `on_unknown: hold` keeps for an operator (the outbound record as read
/// from Kafka, `m`, and the time, `h`), the index that lists them across customers, and the
/// operator's three ways out of `held`, each one script on the entry so two clicks cannot both
/// win.
///
/// The index (`<prefix>:dispatch-held`, message ids scored by held time in ms) is one key while
/// every entry is its own hash tag, so the two are written one after the other, never in one
/// script (Redis Cluster). The order keeps a crash in between from hiding a held message: an id
/// joins the index before its entry says `held` and leaves it after the entry stopped being held;
/// the list skips ids whose entry is not held and removes those whose entry is finished or gone.
extension DispatchLedger {
    /// Where a page of held messages ends: the next page starts after it.
    public struct HeldCursor: Sendable, Equatable {
        public var heldAt: Int64
        public var messageId: String

        public init(heldAt: Int64, messageId: String) {
            self.heldAt = heldAt
            self.messageId = messageId
        }
    }

    /// A message taken out of `held` for resending.
    public struct Released: Sendable {
        /// Its entry, now `released`.
        public var entry: Entry
        /// The outbound record to produce again.
        public var record: [UInt8]
        /// Why it was held, for `unrelease`.
        public var heldReason: String
    }

    public struct HeldPage: Sendable, Equatable {
        /// Newest first.
        public var messages: [Entry]
        /// Nil on the last page.
        public var next: HeldCursor?
    }

    /// KEYS: message hash. ARGV: ttl ms, connector, reason, outbound record, held at (ms).
    static let holdScript = RedisScript(
        """
        redis.call('HSET', KEYS[1], 's', 'held', 'k', ARGV[2], 'p', '', 'r', ARGV[3], 'm', ARGV[4], 'h', ARGV[5])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 0
        """)

    /// KEYS: message hash. ARGV: new status, reason, '1' to keep (and require) the record.
    /// Returns {0} for no entry, {1, status} when not held, {3} when the record is missing,
    /// {2, record, the held reason} when done.
    static let releaseScript = RedisScript(
        """
        local status = redis.call('HGET', KEYS[1], 's')
        if not status then return {0} end
        if status ~= 'held' then return {1, status} end
        local record = redis.call('HGET', KEYS[1], 'm')
        if ARGV[3] == '1' and not record then return {3} end
        local reason = redis.call('HGET', KEYS[1], 'r')
        redis.call('HSET', KEYS[1], 's', ARGV[1], 'r', ARGV[2])
        if ARGV[3] ~= '1' then redis.call('HDEL', KEYS[1], 'm') end
        return {2, record or '', reason or ''}
        """)

    /// KEYS: message hash. ARGV: the held reason. Undoes a release whose record never reached
    /// the topic; a message the dispatcher already took is left alone.
    static let unreleaseScript = RedisScript(
        """
        if redis.call('HGET', KEYS[1], 's') ~= 'released' then return 0 end
        redis.call('HSET', KEYS[1], 's', 'held', 'r', ARGV[1])
        return 1
        """)

    /// Holds an interrupted message with its outbound record, for an operator to release.
    public func hold(
        messageId: String, connector: String, reason: String, record: [UInt8], at heldAt: Timestamp
    ) async throws {
        _ = try await redis.send(
            RedisCommand(
                "ZADD",
                arguments: [
                    RedisArgument(heldIndexKey), RedisArgument(String(heldAt.milliseconds)), RedisArgument(messageId),
                ])
        ).throwingError()
        _ = try await redis.eval(
            Self.holdScript, keys: [RedisArgument(messageKey(messageId))],
            args: [
                RedisArgument(ttlMilliseconds), RedisArgument(connector), RedisArgument(reason),
                RedisArgument(bytes: record), RedisArgument(String(heldAt.milliseconds)),
            ]
        ).throwingError()
    }

    /// Held messages of every customer, newest first, `limit` ids of the index at a time (a page
    /// can come out shorter when it met ids that are no longer held).
    public func heldMessages(limit: Int, after cursor: HeldCursor? = nil) async throws -> HeldPage {
        var candidates: [HeldCursor] = []
        if let cursor {
            // Ids held in the same millisecond come in reverse byte order; take those after the cursor.
            let same = try await redis.send(
                RedisCommand("ZREVRANGEBYSCORE", heldIndexKey, String(cursor.heldAt), String(cursor.heldAt))
            ).throwingError()
            let after = Array(cursor.messageId.utf8)
            candidates = (same.array ?? []).compactMap(\.string)
                .filter { Array($0.utf8).lexicographicallyPrecedes(after) }
                .prefix(limit).map { HeldCursor(heldAt: cursor.heldAt, messageId: $0) }
        }
        if candidates.count < limit {
            let older = try await redis.send(
                RedisCommand(
                    "ZREVRANGEBYSCORE", heldIndexKey, cursor.map { "(\($0.heldAt)" } ?? "+inf", "-inf", "WITHSCORES",
                    "LIMIT", "0", String(limit - candidates.count))
            ).throwingError()
            let pairs = older.array ?? []
            for index in stride(from: 0, to: pairs.count - 1, by: 2) {
                guard let id = pairs[index].string, let score = pairs[index + 1].string.flatMap(Double.init) else {
                    continue
                }
                candidates.append(HeldCursor(heldAt: Int64(score), messageId: id))
            }
        }
        guard !candidates.isEmpty else { return HeldPage(messages: [], next: nil) }

        let hashes = try await redis.pipeline(candidates.map { RedisCommand("HGETALL", messageKey($0.messageId)) })
        var messages: [Entry] = []
        var stale: [String] = []
        for (candidate, hash) in zip(candidates, hashes) {
            guard var entry = Self.entry(messageId: candidate.messageId, hash: try hash.throwingError()) else {
                stale.append(candidate.messageId)
                continue
            }
            switch entry.status {
            case .held:
                if entry.heldAt == nil { entry.heldAt = Timestamp(milliseconds: candidate.heldAt) }
                messages.append(entry)
            case .sent, .failed, .dropped, .released:
                stale.append(candidate.messageId)
            case .sending, .handingOver:
                // Being dispatched again after a release; held again, it is listed again.
                break
            }
        }
        if !stale.isEmpty {
            _ = try await redis.send(
                RedisCommand("ZREM", arguments: [RedisArgument(heldIndexKey)] + stale.map { RedisArgument($0) })
            ).throwingError()
        }
        return HeldPage(messages: messages, next: candidates.count == limit ? candidates.last : nil)
    }

    /// Takes a held message out of `held` for resending: status `released`, and its outbound
    /// record to produce again (the next `begin` of its id proceeds, once). Throws
    /// `HeldMessageError` when it is not held or has no record.
    public func release(messageId: String, reason: String) async throws -> Released {
        let left = try await leaveHeld(messageId: messageId, status: .released, reason: reason, keepRecord: true)
        return Released(entry: try await finished(messageId), record: left.record, heldReason: left.heldReason)
    }

    /// Puts a released message back to `held` when its record could not be produced: nothing
    /// will send it, and the operator may try again. Returns false when a dispatcher has it already.
    public func unrelease(_ released: Released) async throws -> Bool {
        let entry = released.entry
        if let heldAt = entry.heldAt {
            _ = try await redis.send(
                RedisCommand(
                    "ZADD",
                    arguments: [
                        RedisArgument(heldIndexKey), RedisArgument(String(heldAt.milliseconds)),
                        RedisArgument(entry.messageId),
                    ])
            ).throwingError()
        }
        let reply = try await redis.eval(
            Self.unreleaseScript, keys: [RedisArgument(messageKey(entry.messageId))],
            args: [RedisArgument(released.heldReason)]
        ).throwingError()
        return reply.int == 1
    }

    /// A held message the operator found at the provider: `sent`, with the reason saying who said so.
    public func markSent(messageId: String, reason: String) async throws -> Entry {
        _ = try await leaveHeld(messageId: messageId, status: .sent, reason: reason, keepRecord: false)
        return try await finished(messageId)
    }

    /// A held message the operator decided not to send: `dropped`, with the reason.
    public func dropHeld(messageId: String, reason: String) async throws -> Entry {
        _ = try await leaveHeld(messageId: messageId, status: .dropped, reason: reason, keepRecord: false)
        return try await finished(messageId)
    }

    private func leaveHeld(
        messageId: String, status: Status, reason: String, keepRecord: Bool
    ) async throws -> (record: [UInt8], heldReason: String) {
        let reply = try await redis.eval(
            Self.releaseScript, keys: [RedisArgument(messageKey(messageId))],
            args: [RedisArgument(status.rawValue), RedisArgument(reason), RedisArgument(keepRecord ? "1" : "0")]
        ).throwingError()
        let parts = reply.array ?? []
        switch parts.first?.int {
        case 2:
            _ = try await redis.send(RedisCommand("ZREM", heldIndexKey, messageId)).throwingError()
            return (parts.count > 1 ? parts[1].bytes ?? [] : [], parts.count > 2 ? parts[2].string ?? "" : "")
        case 1:
            let current = parts.count > 1 ? parts[1].string.flatMap(Status.init(rawValue:)) : nil
            throw HeldMessageError(code: .notHeld, messageId: messageId, status: current)
        case 3:
            throw HeldMessageError(code: .noRecord, messageId: messageId)
        default:
            throw HeldMessageError(code: .unknownMessage, messageId: messageId)
        }
    }

    private func finished(_ messageId: String) async throws -> Entry {
        guard let entry = try await entry(messageId: messageId) else {
            throw HeldMessageError(code: .unknownMessage, messageId: messageId)
        }
        return entry
    }
}

import Crypto
import SharedStores
import NudgeRecords
import ProcessSupport
import EngineCore
import Foundation
import Logging
import NudgeRedis
import PostgresNIO

/// Erases a customer (right to be forgotten) across Redis and PostgreSQL. Idempotent, and safe
/// to run again after a crash part-way: each step deletes what is still there, and the engine's
/// counters are corrected only by the step that actually took the state away.
///
/// The customer's anonymous ids (from identify events in the timeline) go too. Order:
/// 1. read the ids involved from PostgreSQL (anonymous ids, messages and provider ids);
/// 2. Redis: dispatch ledger entries; the customer's keys in one script (state, slots, outboxes:
///    one hash slot), which returns the state it deleted; from that state, the pending timers in
///    every partition's timer set, the outbox index, and the `waiting` and active-instance
///    counters; anonymous ids' keys when they are aliases of this customer;
/// 3. PostgreSQL, one transaction: messages, their status history, timeline rows, and an audit
///    entry naming the customer only by a SHA-256 of the id.
/// Events still on the Kafka topics age out with the topics' retention.
struct CustomerEraser: Sendable {
    let redis: RedisClient
    let keys: RedisKeys
    let ledger: DispatchLedger
    let postgres: PostgresClient
    let partitions: Int
    let logger: Logger

    /// What an erase removed; all zero when there was nothing left.
    struct Summary: Encodable, Sendable, Equatable {
        var redisKeys = 0
        var timers = 0
        var instances = 0
        var ledgerEntries = 0
        var anonymousIds = 0
        var messages = 0
        var messageStatuses = 0
        var timelineEvents = 0

        enum CodingKeys: String, CodingKey {
            case timers, instances, messages
            case redisKeys = "redis_keys"
            case ledgerEntries = "ledger_entries"
            case anonymousIds = "anonymous_ids"
            case messageStatuses = "message_statuses"
            case timelineEvents = "timeline_events"
        }
    }

    /// KEYS: customer hash, slots hash, outbox lists (one per partition). Returns {state or nil, deleted}.
    static let eraseScript = RedisScript(
        """
        local state = redis.call('HGET', KEYS[1], 's')
        local deleted = redis.call('DEL', unpack(KEYS))
        return {state or false, deleted}
        """)

    /// KEYS: an anonymous id's hash and slots. ARGV: the customer it must be an alias of.
    static let eraseAliasScript = RedisScript(
        """
        if redis.call('HGET', KEYS[1], 'a') ~= ARGV[1] then return 0 end
        return redis.call('DEL', KEYS[1], KEYS[2])
        """)

    func erase(_ customerId: String, actor: String) async throws -> Summary {
        var summary = Summary()
        let anonymousIds = try await anonymousIds(of: customerId)
        summary.anonymousIds = anonymousIds.count
        let ids = [customerId] + anonymousIds

        let (messageIds, providerIds) = try await messageKeys(of: ids)
        summary.ledgerEntries = try await ledger.forget(messageIds: messageIds, providerIds: providerIds)

        let (deletedKeys, state) = try await eraseCustomerKeys(customerId)
        summary.redisKeys = deletedKeys
        if let state {
            summary.instances = state.instances.count
            summary.timers = try await removeTimersAndCounts(of: state)
        }
        for anonymousId in anonymousIds {
            let reply = try await redis.eval(
                Self.eraseAliasScript,
                keys: [RedisArgument(keys.customer(anonymousId)), RedisArgument(keys.slots(anonymousId))],
                args: [RedisArgument(customerId)])
            summary.redisKeys += reply.int ?? 0
        }

        let counts = try await deleteRows(ids, subject: Self.subject(customerId), actor: actor, summary: summary)
        (summary.messages, summary.messageStatuses, summary.timelineEvents) = counts
        logger.info("customer erased", metadata: [APILogKeys.customerDigest: "\(Self.digest(customerId).prefix(16))"])
        return summary
    }

    /// The audit subject: the customer by a digest of the id, so the audit log keeps no personal
    /// data yet anyone who knows the id can check that it was erased.
    static func subject(_ customerId: String) -> String { "customer:sha256:\(digest(customerId))" }

    static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { byte in
            byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }
        .joined()
    }

    private func anonymousIds(of customerId: String) async throws -> [String] {
        let rows = try await postgres.query(
            """
            SELECT DISTINCT anonymous_id FROM customer_timeline
            WHERE customer_id = \(customerId) AND anonymous_id IS NOT NULL AND anonymous_id <> \(customerId)
            ORDER BY 1
            """, logger: logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    private func messageKeys(
        of ids: [String]
    ) async throws -> ([String], [(connector: String, providerMessageId: String)]) {
        let rows = try await postgres.query(
            """
            SELECT message_id, connector, provider_message_id FROM messages WHERE customer_id = ANY(\(ids))
            UNION
            SELECT DISTINCT message_id, NULL, NULL FROM message_status_history WHERE customer_id = ANY(\(ids))
            """, logger: logger)
        var messageIds = Set<String>()
        var providerIds: [(connector: String, providerMessageId: String)] = []
        for try await (id, connector, provider) in rows.decode((String, String?, String?).self) {
            messageIds.insert(id)
            if let connector, let provider { providerIds.append((connector, provider)) }
        }
        return (messageIds.sorted(), providerIds)
    }

    private func eraseCustomerKeys(_ customerId: String) async throws -> (deleted: Int, state: CustomerState?) {
        let scriptKeys =
            [keys.customer(customerId), keys.slots(customerId)]
            + (0..<partitions).map { keys.outbox(customerId, partition: Int32($0)) }
        let reply = try await redis.eval(Self.eraseScript, keys: scriptKeys.map { RedisArgument($0) })
        let parts = reply.array ?? []
        let state = try parts.first?.bytes.map { try JSONDecoder().decode(CustomerState.self, from: Data($0)) }
        return (parts.count > 1 ? parts[1].int ?? 0 : 0, state)
    }

    /// Removes the state's timers from every partition's timer set (the customer may have been
    /// served by several) and its outbox index entries, and takes its instances out of the
    /// `waiting` and active-instance counters. Returns how many timer entries were removed.
    private func removeTimersAndCounts(of state: CustomerState) async throws -> Int {
        let members = state.pendingTimers.map { RedisKeys.timerMember(customer: state.customerId, timer: $0.id) }
        var commands: [RedisCommand] = []
        for partition in (0..<partitions).map(Int32.init) {
            if !members.isEmpty {
                commands.append(
                    RedisCommand(
                        "ZREM",
                        arguments: [RedisArgument(keys.timers(partition: partition))]
                            + members.map { RedisArgument($0) }))
            }
        }
        let timerCommands = commands.count
        for partition in (0..<partitions).map(Int32.init) {
            commands.append(RedisCommand("SREM", keys.pendingOutbox(partition: partition), state.customerId))
        }
        let layout = ReportLayout(cluster: redis.config.mode == .cluster)
        for instance in state.instances {
            commands.append(
                RedisCommand(
                    "HINCRBY", keys.reportNow(scenario: instance.scenario, layout: layout),
                    "waiting|\(instance.step)", -1))
        }
        if !state.instances.isEmpty {
            commands.append(RedisCommand("HINCRBY", keys.stats, "instances_active", -state.instances.count))
        }
        let replies = try await redis.pipeline(commands)
        var removed = 0
        for (index, reply) in replies.enumerated() {
            let value = try reply.throwingError(command: "erase").int ?? 0
            if index < timerCommands { removed += value }
        }
        return removed
    }

    private func deleteRows(
        _ ids: [String], subject: String, actor: String, summary: Summary
    ) async throws -> (messages: Int, statuses: Int, timeline: Int) {
        let logger = self.logger
        do {
            return try await postgres.withTransaction(logger: logger) { connection in
                let statuses = try await Self.count(
                    connection,
                    """
                    WITH d AS (DELETE FROM message_status_history WHERE customer_id = ANY(\(ids)) RETURNING 1)
                    SELECT count(*) FROM d
                    """,
                    logger)
                let messages = try await Self.count(
                    connection,
                    """
                    WITH d AS (DELETE FROM messages WHERE customer_id = ANY(\(ids)) RETURNING 1)
                    SELECT count(*) FROM d
                    """,
                    logger)
                let timeline = try await Self.count(
                    connection,
                    """
                    WITH d AS (DELETE FROM customer_timeline WHERE customer_id = ANY(\(ids)) RETURNING 1)
                    SELECT count(*) FROM d
                    """,
                    logger)
                var erased = summary
                (erased.messages, erased.messageStatuses, erased.timelineEvents) = (messages, statuses, timeline)
                let detail = String(decoding: try JSONEncoder.sorted.encode(erased), as: UTF8.self)
                _ = try await connection.query(
                    """
                    INSERT INTO audit_log (actor, action, subject, detail)
                    VALUES (\(actor), 'customer.erase', \(subject), \(detail)::jsonb)
                    """, logger: logger)
                return (messages, statuses, timeline)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    private static func count(_ connection: PostgresConnection, _ query: PostgresQuery, _ logger: Logger) async throws
        -> Int
    {
        let rows = try await connection.query(query, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}

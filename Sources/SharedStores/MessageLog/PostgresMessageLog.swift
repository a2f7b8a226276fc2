import EngineCore
import Foundation
import Logging
import PostgresNIO

/// The message log in PostgreSQL (migration 0004): one row per message with its current status,
/// and its status history. A batch of entries is three statements in one transaction: message
/// rows (when known), history rows (deduplicated by `entry_key`), and the recomputed status of
/// every message touched — the highest-ranked status of its history, so writers in any order
/// (the dispatcher, provider callbacks, opens and clicks) agree.
public struct PostgresMessageLog: MessageLog {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func record(_ entries: [MessageLogEntry]) async throws {
        guard !entries.isEmpty else { return }
        let logger = self.logger
        let withMessage = entries.filter { $0.message != nil }
        let messageIds = Array(Set(entries.map(\.messageId)))
        try await client.withTransaction(logger: logger) { connection in
            // Writers of one message take turns: the dispatcher's row and a provider's callback
            // can arrive at the same moment, and each must see the other's history when it
            // recomputes the status. Locks in hash order cannot deadlock.
            _ = try await connection.query(
                """
                SELECT pg_advisory_xact_lock(h) FROM (
                    SELECT DISTINCT hashtext(id) AS h FROM unnest(\(messageIds)) AS id ORDER BY h
                ) locks
                """, logger: logger)
            if !withMessage.isEmpty {
                try await Self.insertMessages(withMessage, connection, logger)
            }
            try await Self.insertHistory(entries, connection, logger)
            try await Self.recomputeStatus(messageIds, connection, logger)
        }
    }

    private static func insertMessages(
        _ entries: [MessageLogEntry], _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        var ids: [String] = [], customers: [String] = [], scenarios: [String] = [], versions: [Int] = []
        var steps: [String] = [], instances: [String] = [], channels: [String] = [], templates: [String] = []
        var connectors: [String] = [], providerIds: [String] = [], statuses: [String] = [], created: [Int64] = []
        // The dispatcher logs `queued` and the outcome together: the row takes the connector and
        // provider id from the outcome (a `sent` or `failed` entry), not from `queued`.
        var outcomes: [String: MessageLogEntry] = [:]
        for entry in entries where [.sent, .failed, .held, .unknown].contains(entry.status) {
            outcomes[entry.messageId] = entry
        }
        var seen = Set<String>()
        for entry in entries {
            guard let message = entry.message, seen.insert(entry.messageId).inserted else { continue }
            let outcome = outcomes[entry.messageId] ?? entry
            ids.append(entry.messageId)
            customers.append(entry.customerId)
            scenarios.append(message.scenario)
            versions.append(message.scenarioVersion)
            steps.append(message.step)
            instances.append(message.instance)
            channels.append(message.channel)
            templates.append(message.template)
            connectors.append(outcome.connector ?? "")
            providerIds.append(outcome.providerMessageId ?? "")
            statuses.append(entry.status.rawValue)
            created.append(message.createdAt.milliseconds)
        }
        _ = try await connection.query(
            """
            INSERT INTO messages (message_id, customer_id, scenario, scenario_version, step, instance, channel,
                template, connector, provider_message_id, status, created_at, updated_at)
            SELECT id, customer, scenario, version, step, instance, channel, template, NULLIF(connector, ''),
                NULLIF(provider, ''), status, to_timestamp(created / 1000.0), to_timestamp(created / 1000.0)
            FROM unnest(\(ids), \(customers), \(scenarios), \(versions), \(steps), \(instances), \(channels),
                \(templates), \(connectors), \(providerIds), \(statuses), \(created))
                AS t(id, customer, scenario, version, step, instance, channel, template, connector, provider, status, created)
            ON CONFLICT (message_id) DO UPDATE SET
                connector = COALESCE(EXCLUDED.connector, messages.connector),
                provider_message_id = COALESCE(EXCLUDED.provider_message_id, messages.provider_message_id)
            """, logger: logger)
    }

    private static func insertHistory(
        _ entries: [MessageLogEntry], _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        var ids: [String] = [], customers: [String] = [], keys: [String] = [], statuses: [String] = []
        var reasons: [String] = [], connectors: [String] = [], details: [String] = [], times: [Int64] = []
        var providerIds: [String] = []
        for entry in entries {
            ids.append(entry.messageId)
            customers.append(entry.customerId)
            keys.append(entry.entryKey)
            statuses.append(entry.status.rawValue)
            reasons.append(entry.reason ?? "")
            connectors.append(entry.connector ?? "")
            providerIds.append(entry.providerMessageId ?? "")
            details.append(Self.json(entry.detail))
            times.append(entry.at.milliseconds)
        }
        _ = try await connection.query(
            """
            INSERT INTO message_status_history (message_id, customer_id, entry_key, status, reason, connector, detail, at)
            SELECT id, customer, key, status, NULLIF(reason, ''), NULLIF(connector, ''), detail::jsonb,
                to_timestamp(at / 1000.0)
            FROM unnest(\(ids), \(customers), \(keys), \(statuses), \(reasons), \(connectors), \(details), \(times))
                AS t(id, customer, key, status, reason, connector, detail, at)
            ON CONFLICT (message_id, entry_key) DO NOTHING
            """, logger: logger)
        // A provider id learnt after the row was written (the send itself).
        _ = try await connection.query(
            """
            UPDATE messages m SET provider_message_id = t.provider, connector = COALESCE(NULLIF(t.connector, ''), m.connector)
            FROM unnest(\(ids), \(providerIds), \(connectors)) AS t(id, provider, connector)
            WHERE m.message_id = t.id AND t.provider <> '' AND m.provider_message_id IS DISTINCT FROM t.provider
            """, logger: logger)
    }

    private static func recomputeStatus(
        _ messageIds: [String], _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        _ = try await connection.query(
            """
            UPDATE messages m SET status = h.status, reason = h.reason, updated_at = GREATEST(m.updated_at, h.at)
            FROM (
                SELECT DISTINCT ON (message_id) message_id, status, reason, at
                FROM message_status_history
                WHERE message_id = ANY(\(messageIds))
                ORDER BY message_id, \(unescaped: rankSQL) DESC, at DESC
            ) h
            WHERE m.message_id = h.message_id
            """, logger: logger)
    }

    /// `MessageStatus.rank` as SQL, so the database and the code rank statuses alike.
    static let rankSQL =
        "CASE status " + MessageStatus.allCases.map { "WHEN '\($0.rawValue)' THEN \($0.rank)" }.joined(separator: " ")
        + " ELSE 0 END"

    private static func json(_ detail: [String: String]) -> String {
        guard !detail.isEmpty, let data = try? JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys])
        else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}

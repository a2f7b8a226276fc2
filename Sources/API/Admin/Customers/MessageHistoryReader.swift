import Foundation
import Logging
import PostgresNIO

/// A customer's messages from the message log (migration 0004), newest first, each with the
/// statuses it went through.
struct MessageHistoryReader: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    struct MessageView: Encodable, Sendable {
        var messageId: String
        var scenario: String
        var scenarioVersion: Int
        var step: String
        var instance: String
        var channel: String
        var template: String
        var connector: String?
        var status: String
        var reason: String?
        var createdAt: Date
        var updatedAt: Date
        var history: [StatusView] = []

        enum CodingKeys: String, CodingKey {
            case scenario, step, instance, channel, template, connector, status, reason, history
            case messageId = "message_id"
            case scenarioVersion = "scenario_version"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }
    }

    struct StatusView: Encodable, Sendable {
        var status: String
        var reason: String?
        var connector: String?
        var at: Date
        /// Extra facts of the status (clicked url, bounce type, topic).
        var detail: [String: String]
    }

    /// At most `limit` messages created before `before` (all when nil).
    func messages(customerId: String, before: Date?, limit: Int) async throws -> [MessageView] {
        let cutoff = before ?? Date.distantFuture
        let rows = try await postgres.query(
            """
            SELECT message_id, scenario, scenario_version, step, instance, channel, template, connector, status,
                   reason, created_at, updated_at
            FROM messages WHERE customer_id = \(customerId) AND created_at < \(cutoff)
            ORDER BY created_at DESC, message_id LIMIT \(limit)
            """, logger: logger)
        var messages: [MessageView] = []
        for try await row in rows.decode(
            (String, String, Int, String, String, String, String, String?, String, String?, Date, Date).self)
        {
            messages.append(
                MessageView(
                    messageId: row.0, scenario: row.1, scenarioVersion: row.2, step: row.3, instance: row.4,
                    channel: row.5, template: row.6, connector: row.7, status: row.8, reason: row.9, createdAt: row.10,
                    updatedAt: row.11))
        }
        guard !messages.isEmpty else { return [] }
        let ids = messages.map(\.messageId)
        let history = try await postgres.query(
            """
            SELECT message_id, status, reason, connector, detail::text, at FROM message_status_history
            WHERE customer_id = \(customerId) AND message_id = ANY(\(ids))
            ORDER BY at, entry_key
            """, logger: logger)
        var byMessage: [String: [StatusView]] = [:]
        for try await (id, status, reason, connector, detail, at) in history.decode(
            (String, String, String?, String?, String, Date).self)
        {
            let fields = (try? JSONDecoder().decode([String: String].self, from: Data(detail.utf8))) ?? [:]
            byMessage[id, default: []].append(
                StatusView(status: status, reason: reason, connector: connector, at: at, detail: fields))
        }
        for index in messages.indices { messages[index].history = byMessage[messages[index].messageId] ?? [] }
        return messages
    }
}

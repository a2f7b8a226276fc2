import Foundation
import Logging
import PostgresNIO

/// What the contact policy held back in a time range, from the message log: messages suppressed
/// or deferred, by reason, channel and scenario.
struct SuppressionReader: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    struct Count: Sendable, Equatable {
        /// `suppressed` or `deferred`.
        var status: String
        var reason: String
        var channel: String
        var scenario: String
        var messages: Int
    }

    /// Counted once per message, most first.
    func counts(from: Date, to: Date) async throws -> [Count] {
        let rows = try await postgres.query(
            """
            SELECT h.status, COALESCE(h.reason, ''), m.channel, m.scenario, count(DISTINCT h.message_id)
            FROM message_status_history h JOIN messages m ON m.message_id = h.message_id
            WHERE h.status IN ('suppressed', 'deferred') AND h.at >= \(from) AND h.at < \(to)
            GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 1, 2, 3, 4
            """, logger: logger)
        var counts: [Count] = []
        for try await (status, reason, channel, scenario, count) in rows.decode(
            (String, String, String, String, Int64).self)
        {
            counts.append(
                Count(status: status, reason: reason, channel: channel, scenario: scenario, messages: Int(count)))
        }
        return counts
    }
}

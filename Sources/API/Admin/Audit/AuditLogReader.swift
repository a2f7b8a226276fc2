import EngineCore
import Foundation
import Logging
import PostgresNIO

/// One row of the audit log: who did what to which subject, and when.
struct AuditEntry: Sendable, Equatable {
    var id: Int64
    var at: Date
    var actor: String
    var action: String
    var subject: String
    /// The action's parameters as recorded (strings, or numbers for an erase's counts).
    var detail: [String: Value]
}

/// Reads the `audit_log` table (migration 0001), newest first, a page at a time.
struct AuditLogReader: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// A page of entries and the cursor of the next (older) page, nil on the last one.
    struct Page: Sendable {
        var entries: [AuditEntry]
        var nextBefore: Int64?
    }

    /// At most `limit` entries with an id below `before` (all when nil). With `scenario`, only that
    /// scenario's: status changes and locks have its id as subject, deploys `<id>@<version>`.
    func page(scenario: String?, before: Int64?, limit: Int) async throws -> Page {
        let cutoff = before ?? Int64.max
        let fetch = limit + 1
        let query: PostgresQuery
        if let scenario {
            query = """
                SELECT id, at, actor, action, subject, detail::text FROM audit_log
                WHERE (subject = \(scenario) OR starts_with(subject, \(scenario + "@"))) AND id < \(cutoff)
                ORDER BY id DESC LIMIT \(fetch)
                """
        } else {
            query = """
                SELECT id, at, actor, action, subject, detail::text FROM audit_log
                WHERE id < \(cutoff) ORDER BY id DESC LIMIT \(fetch)
                """
        }
        let rows = try await postgres.query(query, logger: logger)
        var entries: [AuditEntry] = []
        for try await (id, at, actor, action, subject, detail) in rows.decode(
            (Int64, Date, String, String, String, String).self)
        {
            entries.append(
                AuditEntry(
                    id: id, at: at, actor: actor, action: action, subject: subject, detail: Self.detail(detail)))
        }
        guard entries.count > limit else { return Page(entries: entries, nextBefore: nil) }
        entries.removeLast()
        return Page(entries: entries, nextBefore: entries.last?.id)
    }

    /// The detail column is a JSON object written by the API; anything else reads as empty.
    private static func detail(_ text: String) -> [String: Value] {
        guard case .object(let fields)? = try? JSONValueParser.parse(Array(text.utf8)) else { return [:] }
        return fields
    }
}

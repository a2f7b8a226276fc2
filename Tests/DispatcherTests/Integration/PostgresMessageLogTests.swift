import SharedStores
import NudgeRecords
import ProcessSupport
import Dispatcher
import Engine
import EngineCore
import Logging
import NudgeTestSupport
import PostgresNIO
import Testing

@testable import NudgeApp

/// The message log in a real PostgreSQL: one row per message with the connector that took it,
/// a status history without repeats, and the status recomputed from the history by rank.
@Suite("Message log in PostgreSQL", .serialized)
struct PostgresMessageLogTests {
    static let logger = Logger(label: "nudge.tests.message-log")

    static func entry(
        _ status: MessageStatus, message: OutboundMessage?, connector: String? = nil, at: Int64, key: String? = nil
    ) -> MessageLogEntry {
        MessageLogEntry(
            messageId: "m-1", customerId: "c-1", message: message.map(MessageLogEntry.Message.init), status: status,
            connector: connector, at: Timestamp(milliseconds: at), entryKey: key)
    }

    @Test func theRowKeepsTheSendingConnectorAndTheHighestStatus() async throws {
        let outbound = try DispatchTestKit.outbound(
            id: "m-1", channel: "email", template: "welcome", variables: [:], profile: [:])
        try await TestPostgres.withFreshDatabase(migrations: try BundledMigrations.load()) { client, _ in
            let log = PostgresMessageLog(client: client, logger: Self.logger)
            let dispatched = [
                Self.entry(.queued, message: outbound, at: 1_000),
                Self.entry(.sent, message: outbound, connector: "email", at: 1_100),
            ]
            try await log.record(dispatched)
            try await log.record([
                Self.entry(.opened, message: nil, connector: "tracking", at: 5_000, key: "fb:opened:m-1")
            ])
            // A delivery report that arrives after the open does not turn the message back.
            try await log.record([
                Self.entry(.delivered, message: nil, connector: "email", at: 4_000, key: "fb:delivered:m-1")
            ])
            // A replayed batch adds nothing.
            try await log.record(dispatched)

            let rows = try await client.query(
                "SELECT status, connector FROM messages WHERE message_id = 'm-1'", logger: Self.logger)
            var found: [(String, String?)] = []
            for try await row in rows.decode((String, String?).self) { found.append(row) }
            #expect(found.count == 1)
            #expect(found.first?.0 == "opened")
            #expect(found.first?.1 == "email")

            let history = try await client.query(
                "SELECT status FROM message_status_history WHERE message_id = 'm-1' ORDER BY at", logger: Self.logger)
            var statuses: [String] = []
            for try await status in history.decode(String.self) { statuses.append(status) }
            #expect(statuses == ["queued", "sent", "delivered", "opened"])
        }
    }
}

import Dispatcher
import EngineCore
import Foundation
import SharedStores
import HummingbirdTesting
import Testing

@testable import API

/// A held message on the console's customer page: publishers get resend, mark sent and drop
/// (the admin API's actions); viewers only see it held.
@Suite("Console held messages", .serialized, .timeLimit(.minutes(2)))
struct ConsoleHeldMessageTests {
    @Test func aPublisherMarksAHeldMessageSentFromTheCustomerPage() async throws {
        try await AdminFixture.run("console-held") { client, keys in
            let log = PostgresMessageLog(client: keys.postgres, logger: TestDatabase.logger)
            try await CustomerSeeding.message(
                "m-h", customer: "c-1", statuses: [(.queued, nil), (.held, "outcome unknown")],
                at: CustomerSeeding.at(minutes: 0), log: log)
            try await HeldMessageRoutesTests.hold(
                "m-h", customer: "c-1", at: 1_000, in: HeldMessageRoutesTests.ledger(keys))

            let viewer = try await ConsoleRoutesTests.signIn(client, key: keys.viewer)
            let seen = try await ConsoleRoutesTests.get(client, "/console/customers?id=c-1", cookie: viewer.cookie)
            #expect(seen.text.contains("<span class=\"status\">held</span>"))
            #expect(!seen.text.contains("/console/customers/held-message"))
            let refused = try await ConsoleRoutesTests.post(
                client, "/console/customers/held-message", browser: viewer,
                fields: ["id": "c-1", "message": "m-h", "action": "drop"])
            #expect(refused.status == .forbidden)

            let publisher = try await ConsoleRoutesTests.signIn(client, key: keys.publisher)
            let page = try await ConsoleRoutesTests.get(client, "/console/customers?id=c-1", cookie: publisher.cookie)
            #expect(page.text.contains("action=\"/console/customers/held-message\""))
            #expect(page.text.contains("<input type=\"hidden\" name=\"message\" value=\"m-h\">"))
            #expect(page.text.contains("name=\"action\" value=\"mark-sent\">Mark sent</button>"))

            let marked = try await ConsoleRoutesTests.post(
                client, "/console/customers/held-message", browser: publisher,
                fields: ["id": "c-1", "message": "m-h", "action": "mark-sent"])
            #expect(marked.status == .seeOther)
            #expect(marked.headers[.location] == "/console/customers?id=c-1")
            #expect(try await HeldMessageRoutesTests.ledger(keys).entry(messageId: "m-h")?.status == .sent)
            let after = try await ConsoleRoutesTests.get(client, "/console/customers?id=c-1", cookie: publisher.cookie)
            #expect(after.text.contains("<span class=\"status\">sent</span> <span class=\"muted\">marked sent by cy"))
            #expect(!after.text.contains("/console/customers/held-message"))

            let again = try await ConsoleRoutesTests.post(
                client, "/console/customers/held-message", browser: publisher,
                fields: ["id": "c-1", "message": "m-h", "action": "drop"])
            #expect(again.status == .conflict)
            #expect(try await keys.audit().map(\.action).contains("message.mark_sent"))
        }
    }
}

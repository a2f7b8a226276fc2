import Dispatcher
import Engine
import EngineCore
import Foundation
import SharedStores
import NudgeRecords
import ProcessSupport
import Hummingbird
import HummingbirdTesting
import Testing
import Timeline

@testable import API

/// `/console/customers` in-process against PostgreSQL and Redis: look a customer up (profile,
/// running instances, messages with status history, events), and the erase, admins only, after
/// typing the id again on a confirmation page.
@Suite("Console customers", .serialized, .timeLimit(.minutes(2)))
struct ConsoleCustomerTests {
    /// Ada (`c-1`): the engine's state, two messages, two events of today; `anon-9` merged into her.
    static func seed(_ keys: AdminFixture) async throws {
        let redisKeys = RedisKeys(prefix: keys.keyPrefix)
        try await CustomerSeeding.redis("c-1", keys: redisKeys, redis: keys.redis)
        _ = try await keys.redis.send("HSET", redisKeys.customer("anon-9"), RedisKeys.aliasField, "c-1")
        let log = PostgresMessageLog(client: keys.postgres, logger: TestDatabase.logger)
        try await CustomerSeeding.message(
            "m-1", customer: "c-1", statuses: [(.queued, nil), (.sent, nil), (.delivered, nil), (.clicked, nil)],
            at: CustomerSeeding.at(minutes: 0), log: log)
        try await CustomerSeeding.message(
            "m-2", customer: "c-1", step: "nudge", statuses: [(.suppressed, "cap:email:day")],
            at: CustomerSeeding.at(minutes: 30), log: log)
        let now = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000) - 60_000)
        _ = try await PostgresTimeline(client: keys.postgres, logger: TestDatabase.logger).record([
            CustomerSeeding.timelineEntry(
                customer: "c-1", event: "e-1", at: now, properties: ["plan": "gold <b>"]),
            CustomerSeeding.timelineEntry(
                customer: "c-1", event: "e-2", kind: .track, name: "Message Clicked", source: .feedback, at: now),
        ])
    }

    @Test func aViewerLooksUpProfileInstancesMessagesAndEvents() async throws {
        try await AdminFixture.run("console-customer") { client, keys in
            try await Self.seed(keys)
            let viewer = try await ConsoleRoutesTests.signIn(client, key: keys.viewer)
            let search = try await ConsoleRoutesTests.get(client, "/console/customers", cookie: viewer.cookie)
            #expect(search.status == .ok)
            #expect(search.text.contains("<label for=\"customer-id\">Customer id</label>"))
            #expect(search.text.contains("<a href=\"/console/customers\">Customers</a>"))

            let page = try await ConsoleRoutesTests.get(client, "/console/customers?id=c-1", cookie: viewer.cookie)
            #expect(page.status == .ok)
            let text = page.text
            #expect(text.contains("<tr><th scope=\"row\">first_name</th><td>Ada</td></tr>"))
            #expect(text.contains("<a href=\"/console/scenarios/greeter\">greeter</a> <span class=\"muted\">v1</span>"))
            #expect(text.contains("<td><strong>pause</strong></td>"))
            #expect(text.contains("2026-01-01 09:00 UTC"))
            #expect(text.contains("<td><strong>remind</strong></td>"))
            // Messages newest first, each with its statuses in order.
            let suppressed = try #require(text.range(of: "cap:email:day"))
            let clicked = try #require(text.range(of: "<span class=\"status\">clicked</span>"))
            #expect(suppressed.lowerBound < clicked.lowerBound)
            #expect(text.contains("<li>queued <span class=\"muted\">2026-01-01 08:00 UTC</span></li><li>sent (smtp)"))
            // Events, with their properties escaped.
            #expect(text.contains("<td>Signed Up</td><td>events</td>"))
            #expect(text.contains("<td>Message Clicked</td><td>feedback</td>"))
            #expect(text.contains("gold &lt;b&gt;"))
            // A viewer is not offered the erase and cannot open it.
            #expect(!text.contains("/console/customers/erase"))
            #expect(
                try await ConsoleRoutesTests.get(client, "/console/customers/erase?id=c-1", cookie: viewer.cookie)
                    .status == .forbidden)

            let merged = try await ConsoleRoutesTests.get(client, "/console/customers?id=anon-9", cookie: viewer.cookie)
            #expect(merged.text.contains("merged into <a href=\"/console/customers?id=c-1\">c-1</a>"))
            // Ids as a GET form sends them: + is a space, %2B a plus.
            let unknown = try await ConsoleRoutesTests.get(
                client, "/console/customers?id=a%2Bb+c%26d", cookie: viewer.cookie)
            #expect(unknown.text.contains("<h2 id=\"customer-heading\">a+b c&amp;d</h2>"))
            #expect(unknown.text.contains("Nothing is known about this id"))
            #expect(
                try await ConsoleRoutesTests.get(client, "/console/customers?id=c-1", cookie: nil).status == .seeOther)
        }
    }

    @Test func anAdminErasesAfterTypingTheIdAgain() async throws {
        try await AdminFixture.run("console-erase") { client, keys in
            try await Self.seed(keys)
            let admin = try await ConsoleRoutesTests.signIn(client, key: keys.admin)
            let page = try await ConsoleRoutesTests.get(client, "/console/customers?id=c-1", cookie: admin.cookie)
            #expect(page.text.contains("href=\"/console/customers/erase?id=c-1\""))
            let confirm = try await ConsoleRoutesTests.get(
                client, "/console/customers/erase?id=c-1", cookie: admin.cookie)
            #expect(confirm.status == .ok)
            #expect(confirm.text.contains("<label for=\"confirm\">Type the customer id to confirm</label>"))
            #expect(confirm.text.contains("<input type=\"hidden\" name=\"id\" value=\"c-1\">"))

            // A wrong confirmation, a forged form, a viewer's form: nothing is erased.
            let wrong = try await ConsoleRoutesTests.post(
                client, "/console/customers/erase", browser: admin, fields: ["id": "c-1", "confirm": "c-2"])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.text.contains("nothing was erased"))
            let forged = try await ConsoleRoutesTests.post(
                client, "/console/customers/erase", browser: admin, fields: ["id": "c-1", "confirm": "c-1"],
                csrf: "guess")
            #expect(forged.status == .forbidden)
            let viewer = try await ConsoleRoutesTests.signIn(client, key: keys.viewer)
            let refused = try await ConsoleRoutesTests.post(
                client, "/console/customers/erase", browser: viewer, fields: ["id": "c-1", "confirm": "c-1"])
            #expect(refused.status == .forbidden)
            #expect(
                try await ConsoleRoutesTests.get(client, "/console/customers?id=c-1", cookie: admin.cookie).text
                    .contains("first_name"))

            let erased = try await ConsoleRoutesTests.post(
                client, "/console/customers/erase", browser: admin, fields: ["id": "c-1", "confirm": "c-1"])
            #expect(erased.status == .ok)
            #expect(erased.text.contains("c-1 is erased"))
            #expect(erased.text.contains("<tr><th scope=\"row\">messages</th><td class=\"num\">2</td></tr>"))
            #expect(erased.text.contains("<tr><th scope=\"row\">timeline events</th><td class=\"num\">2</td></tr>"))
            let after = try await ConsoleRoutesTests.get(client, "/console/customers?id=c-1", cookie: admin.cookie)
            #expect(after.text.contains("Nothing is known about this id"))
            #expect(
                try await keys.audit().contains {
                    $0.actor == "ops" && $0.action == "customer.erase" && !$0.subject.contains("c-1")
                })
        }
    }
}

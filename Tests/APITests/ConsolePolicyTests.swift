import Dispatcher
import EngineCore
import Foundation
import SharedStores
import Hummingbird
import HummingbirdTesting
import Testing

@testable import API

/// `/console/policy` in-process: the policy the server loaded (caps, quiet hours, dedup,
/// priorities, the opt-out rules) and what it held back today, from the message log.
@Suite("Console contact policy", .serialized, .timeLimit(.minutes(2)))
struct ConsolePolicyTests {
    static let policy = """
        version: 1
        default_timezone: Europe/Berlin
        caps:
          - channel: email
            max: 2
            per: day
          - channel: all
            max: 10
            per: week
        quiet_hours:
          from: "21:00"
          to: "09:00"
          channels: [sms, push]
        priorities:
          greeter: 60
          cart: 90
        dedup_window: 24h
        transactional_exempt: true
        """

    @Test func thePolicyInForceAndTodaysSuppressionsByReason() async throws {
        let policy = try PolicyLoader.load(yaml: Self.policy, file: "rules/policy.yaml").get()
        try await AdminFixture.run("console-policy", policy: policy) { client, keys in
            let log = PostgresMessageLog(client: keys.postgres, logger: TestDatabase.logger)
            let now = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000) - 1_000)
            let yesterday = Timestamp(milliseconds: now.milliseconds - 86_400_000)
            for (id, reason, at) in [
                ("m-1", "cap:email:day", now), ("m-2", "cap:email:day", now), ("m-3", "unsubscribed", now),
                ("m-old", "cap:email:day", yesterday),
            ] {
                try await CustomerSeeding.message(
                    id, customer: "c-\(id)", statuses: [(.suppressed, reason)], at: at, log: log)
            }
            try await CustomerSeeding.message(
                "m-4", customer: "c-4", statuses: [(.deferred, "quiet_hours")], at: now, log: log)
            try await CustomerSeeding.message("m-5", customer: "c-5", statuses: [(.sent, nil)], at: now, log: log)

            let viewer = try await ConsoleRoutesTests.signIn(client, key: keys.viewer)
            let page = try await ConsoleRoutesTests.get(client, "/console/policy", cookie: viewer.cookie)
            #expect(page.status == .ok)
            let text = page.text
            #expect(text.contains("<code>rules/policy.yaml</code>"))
            #expect(text.contains("<strong>Europe/Berlin</strong>"))
            #expect(text.contains("<tr><th scope=\"row\">email</th><td class=\"num\">2</td><td>day</td></tr>"))
            #expect(text.contains("<tr><th scope=\"row\">all channels</th><td class=\"num\">10</td><td>week</td></tr>"))
            #expect(text.contains("From <strong>21:00</strong> to <strong>09:00</strong>"))
            #expect(text.contains("for sms, push"))
            #expect(text.contains("once per day"))
            // Priorities, highest first.
            let cart = try #require(text.range(of: ">cart</a></th><td class=\"num\">90"))
            let greeter = try #require(text.range(of: ">greeter</a></th><td class=\"num\">60"))
            #expect(cart.lowerBound < greeter.lowerBound)
            for reason in ContactPolicyPage.optOuts.map(\.reason) {
                #expect(text.contains("<code>\(HTML.escape(reason))</code>"), "\(reason)")
            }
            // Today's: two capped, one unsubscribed, one deferred; yesterday's and sends do not count.
            #expect(text.contains("<strong data-summary=\"suppressed\">3</strong>"))
            #expect(text.contains("<strong data-summary=\"deferred\">1</strong>"))
            #expect(
                text.contains(
                    "<tr><td>suppressed</td><td><code>cap:email:day</code></td><td>email</td><td><a href=\"/console/scenarios/greeter\">greeter</a></td><td class=\"num\">2</td></tr>"
                ))
            #expect(text.contains("<td><code>quiet_hours</code></td>"))
            #expect(try await ConsoleRoutesTests.get(client, "/console/policy", cookie: nil).status == .seeOther)
        }
    }

    @Test func withoutAPolicyFileOnlyTheOptOutsHold() async throws {
        try await AdminFixture.run("console-policy-none") { client, keys in
            let viewer = try await ConsoleRoutesTests.signIn(client, key: keys.viewer)
            let text = try await ConsoleRoutesTests.get(client, "/console/policy", cookie: viewer.cookie).text
            #expect(text.contains("<p>No caps.</p>"))
            #expect(text.contains("<h2 id=\"quiet-heading\">Quiet hours</h2>\n<p>None.</p>"))
            #expect(text.contains("Nothing was suppressed or deferred since 00:00 UTC."))
        }
    }
}

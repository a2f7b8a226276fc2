import API
import EngineCore
import Foundation
import NudgeTestSupport
import Testing

@testable import NudgeApp

/// The console's customer lookup, simulator and contact policy in a real headless Chromium
/// against the real stack (`nudge run`'s engine, timeline recorder and HTTP API in this process,
/// Kafka, Redis, PostgreSQL): an admin finds a customer the engine just saw (profile, current step,
/// events), tries the scenario on pasted events and sees the cap suppress the second email, reads
/// the policy, then erases the customer after confirming. With NUDGE_CONSOLE_SCREENSHOTS set to
/// a folder, these pages are saved there as PNG.
@Suite("Console tools in a browser", .serialized, .timeLimit(.minutes(4)))
struct ConsoleBrowserToolsTests {
    static let policy = """
        version: 1
        default_timezone: Europe/Berlin
        caps:
          - channel: email
            max: 1
            per: day
          - channel: all
            max: 10
            per: week
        quiet_hours:
          from: "21:00"
          to: "09:00"
          channels: [sms, push]
        priorities:
          welcome-series: 60
        dedup_window: 24h
        """

    /// Ada signs up; Bo signs up and orders the same day.
    static let events = """
        {"type":"track","userId":"sim-1","event":"Signed Up","timestamp":"2026-05-01T08:00:00Z"}
        {"type":"track","userId":"sim-2","event":"Signed Up","timestamp":"2026-05-01T09:30:00Z"}
        {"type":"track","userId":"sim-2","event":"Order Completed","timestamp":"2026-05-01T14:00:00Z"}
        """

    @Test func anAdminLooksUpTriesAndErases() async throws {
        var setup = try await EngineTestEnvironment(
            "console-tools",
            scenarios: ["welcome-series.yaml": ConsoleBrowserTests.welcome(version: 1), "policy.yaml": Self.policy])
        let database = try await setup.useFreshDatabase()
        setup.config.http.port = try FreePort.find()
        let env = setup
        let base = "http://127.0.0.1:\(env.config.http.port)"
        let screenshots = ProcessInfo.processInfo.environment["NUDGE_CONSOLE_SCREENSHOTS"].map {
            URL(fileURLWithPath: $0)
        }
        try await env.createTopics()
        let producer = try env.producer()
        let app = try await NudgeApplication.build(
            config: env.config, components: [.postgres, .engine, .serve, .timeline], logger: env.logger)
        let browser = try await WebDriver()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.run() }
                defer { group.cancelAll() }
                let ready = ContinuousClock.now + .seconds(60)
                while (try? await DeployOverHTTPTests.call(.GET, "\(base)/ready"))?.status != .ok,
                    ContinuousClock.now < ready
                {
                    try await Task.sleep(for: .milliseconds(200))
                }
                let admin = try await APIKeyAdministration.create(
                    postgres: env.config.postgres, name: "ada-ops", role: .admin, actor: "test", logger: env.logger)
                try await browser.open("\(base)/console/sign-in")
                try await browser.type("#key", admin.secret)
                try await browser.click("main form button[type=submit]")
                try await browser.eventually("the scenario list") {
                    try await browser.currentURL().hasSuffix("/console/scenarios")
                }

                // A customer the engine has just seen: profile, current step, events.
                try await env.send(
                    [
                        SegmentEvent(
                            type: "identify", event: "", customerId: "browser-c1",
                            traits: ["first_name": "Ada", "plan": "gold"]),
                        SegmentEvent(event: "Signed Up", customerId: "browser-c1", properties: ["method": "email"]),
                    ],
                    with: producer)
                try await browser.click("nav a[href=\"/console/customers\"]")
                // By keyboard: the label's field, then Enter (WebDriver's key U+E007) submits the search.
                try await browser.type("#customer-id", "browser-c1\u{E007}")
                try await browser.eventually("the customer's page") {
                    try await browser.currentURL().hasSuffix("/console/customers?id=browser-c1")
                }
                try await browser.eventually("the instance at its wait and both events", timeout: .seconds(30)) {
                    try await browser.open("\(base)/console/customers?id=browser-c1")
                    let page = try await browser.text("main") ?? ""
                    return page.contains("pause") && page.contains("Signed Up") && page.contains("identify")
                }
                #expect(try await browser.text("section[aria-labelledby=profile-heading]")?.contains("Ada") == true)
                #expect(
                    try await browser.text("section[aria-labelledby=instances-heading] td strong") == "pause")
                if let screenshots {
                    try await browser.resize(width: 1280, height: 1100)
                    try await browser.screenshot(to: screenshots.appendingPathComponent("console-customer.png"))
                    try await browser.resize(width: 1280, height: 900)
                }

                // Try before launch: the scenario on pasted events, with the policy in force.
                try await browser.click("nav a[href=\"/console/simulate\"]")
                try await browser.eventually("the simulator") {
                    try await browser.currentURL().hasSuffix("/console/simulate")
                }
                _ = try await browser.script(
                    "document.getElementById('scenario').value = 'welcome-series'; return true;")
                try await browser.type("#events", Self.events)
                try await browser.click("form.simulate button[type=submit]")
                try await browser.eventually("the simulation's result") { try await browser.text("#result") != nil }
                let result = try await browser.text("#result") ?? ""
                #expect(try await browser.text("#result-heading") == "Effects timeline", "\(result)")
                // sim-1 gets the welcome an hour after signing up; sim-2 too, then orders: converted.
                let rows = try await browser.script(
                    "return Array.from(document.querySelectorAll('table.effects tbody tr')).map(function (r) { return r.textContent; }).join('\\n');"
                )
                guard case .string(let timeline) = rows else { throw TestFailure("no timeline rows") }
                #expect(
                    timeline.contains("2026-05-01T09:00:00Zsim-1welcome-series v1 · welcomewould sendemail · welcome"))
                #expect(timeline.contains("2026-05-01T10:30:00Zsim-2welcome-series v1 · welcomewould send"))
                #expect(timeline.contains("converted"))
                if let screenshots {
                    _ = try await browser.script("document.getElementById('result').scrollIntoView();")
                    try await browser.screenshot(to: screenshots.appendingPathComponent("console-simulate.png"))
                }
                // An edit tried beside the deployed scenario: both email sim-3 at 09:00 (other
                // templates, so no duplicate), and the cap of one email a day suppresses one, saying why.
                _ = try await browser.script("document.getElementById('scenario').value = ''; return true;")
                try await browser.type(
                    "#yaml",
                    ConsoleBrowserTests.welcome(version: 1).replacingOccurrences(
                        of: "id: welcome-series", with: "id: welcome-copy"
                    ).replacingOccurrences(of: "template: welcome", with: "template: welcome-b"))
                try await browser.type(
                    "#events",
                    #"{"type":"track","userId":"sim-3","event":"Signed Up","timestamp":"2026-05-01T08:00:00Z"}"#)
                _ = try await browser.script("window.__before = true; return true;")
                try await browser.click("form.simulate button[type=submit]")
                try await browser.eventually("the second run's page") {
                    try await browser.script(
                        "return window.__before === undefined && !!document.getElementById('result');")
                        == true
                }
                let second = try await browser.text("#result") ?? ""
                #expect(try await browser.text("[data-summary=suppressed]") == "1", "\(second)")
                #expect(
                    try await browser.text("tr.effect-suppress")?.contains("why: cap:email:day") == true, "\(second)")

                // The contact policy in force.
                try await browser.click("nav a[href=\"/console/policy\"]")
                try await browser.eventually("the policy page") {
                    try await browser.text("main h1") == "Contact policy"
                }
                #expect(
                    try await browser.text("section[aria-labelledby=caps-heading] tbody tr")?.contains("email") == true)
                if let screenshots {
                    try await browser.resize(width: 1280, height: 1300)
                    try await browser.screenshot(to: screenshots.appendingPathComponent("console-policy.png"))
                    try await browser.resize(width: 1280, height: 900)
                }

                // Erase, confirmed by typing the id; afterwards nothing is known.
                try await browser.open("\(base)/console/customers?id=browser-c1")
                try await browser.click("a.button.danger")
                try await browser.eventually("the confirmation") {
                    try await browser.currentURL().contains("/console/customers/erase?id=browser-c1")
                }
                try await browser.type("#confirm", "browser-c1")
                try await browser.click("main form button.danger")
                try await browser.eventually("the erase") {
                    try await browser.text(".notice")?.contains("browser-c1 is erased") == true
                }
                try await browser.open("\(base)/console/customers?id=browser-c1")
                #expect(try await browser.text("main")?.contains("Nothing is known about this id") == true)
                let gone = try await DeployOverHTTPTests.call(
                    .GET, "\(base)/v1/admin/customers/browser-c1", key: admin.secret)
                #expect(gone.status == .notFound)
            }
        } catch {
            await browser.quit()
            await producer.shutdown()
            await TestPostgres.drop(database)
            throw error
        }
        await browser.quit()
        await producer.shutdown()
        await TestPostgres.drop(database)
    }
}

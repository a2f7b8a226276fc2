import API
import EngineCore
import Foundation
import NudgeTestSupport
import Testing

@testable import NudgeApp

/// The web console in a real headless Chromium against the real stack (`nudge run`'s engine and
/// HTTP API in this process, Kafka, Redis, PostgreSQL): a publisher signs in, opens a scenario and
/// sees its counts change after an event is ingested (the page's script, no reload), types an
/// invalid YAML and sees the error at its line and column, fixes it, deploys and pauses; a viewer
/// is offered none of that and is refused when trying anyway. With NUDGE_CONSOLE_SCREENSHOTS set
/// to a folder, the main pages are saved there as PNG (docs/ holds the committed ones).
@Suite("Console in a browser", .serialized, .timeLimit(.minutes(4)))
struct ConsoleBrowserTests {
    static func welcome(version: Int, wait: String = "1h") -> String {
        """
        id: welcome-series
        version: \(version)
        name: Welcome series
        description: A welcome email an hour after sign-up; a reminder to half of those who have not ordered after 3 days.
        owner: crm
        status: active
        trigger:
          event: Signed Up
        goals:
          - id: first_order
            event: Order Completed
        start: pause
        steps:
          pause:
            wait: \(wait)
            next: welcome
          welcome:
            send:
              channel: email
              template: welcome
            next: wait_order
          wait_order:
            wait_for:
              event: Order Completed
              timeout: 3d
            on_event: done
            on_timeout: pick
          pick:
            split:
              - percent: 50
                next: reminder
              - percent: 50
                next: done
          reminder:
            send:
              channel: email
              template: welcome
            next: done
          done:
            end: {}
        """
    }

    @Test func aPublisherWatchesFixesDeploysAndPausesAViewerCannot() async throws {
        var setup = try await EngineTestEnvironment(
            "console-browser", scenarios: ["welcome-series.yaml": Self.welcome(version: 1)])
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
            config: env.config, components: [.postgres, .engine, .serve], logger: env.logger)
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
                let publisher = try await APIKeyAdministration.create(
                    postgres: env.config.postgres, name: "pat", role: .publisher, actor: "test", logger: env.logger)
                let viewer = try await APIKeyAdministration.create(
                    postgres: env.config.postgres, name: "vic", role: .viewer, actor: "test", logger: env.logger)

                // Sign in: the console sends the browser to the sign-in page first.
                try await browser.open("\(base)/console")
                try await browser.eventually("the sign-in page") {
                    try await browser.currentURL().hasSuffix("/console/sign-in")
                }
                if let screenshots {
                    try await browser.screenshot(to: screenshots.appendingPathComponent("console-sign-in.png"))
                }
                try await browser.type("#key", publisher.secret)
                try await browser.click("main form button[type=submit]")
                try await browser.eventually("the scenario list") {
                    try await browser.currentURL().hasSuffix("/console/scenarios")
                }
                // The session cookie is HttpOnly: page scripts see no cookie, and never the key.
                #expect(try await browser.script("return document.cookie;") == "")
                #expect(
                    try await browser.script(
                        "return document.documentElement.outerHTML.indexOf(arguments[0]);", [.string(publisher.secret)])
                        == -1)
                #expect(try await browser.text("main table tbody th a") == "Welcome series")

                // Open the scenario: its graph, then the counts move after an event, without a reload.
                try await browser.click("main table tbody th a")
                try await browser.eventually("the scenario page") {
                    try await browser.currentURL().hasSuffix("/console/scenarios/welcome-series")
                }
                #expect(try await browser.script("return document.querySelectorAll('svg.graph g.node').length;") == 8)
                #expect(try await browser.text("[data-count=\"total.entered\"]") == "0")
                let marker = try await browser.script("window.__samePage = true; return true;")
                #expect(marker == true)
                try await env.send(
                    [
                        SegmentEvent(event: "Signed Up", customerId: "browser-1"),
                        SegmentEvent(event: "Signed Up", customerId: "browser-2"),
                    ],
                    with: producer)
                try await browser.eventually("entered to reach 2", timeout: .seconds(30)) {
                    try await browser.text("svg [data-count=\"total.entered\"]") == "2"
                }
                try await browser.eventually("2 waiting at pause") {
                    try await browser.text("svg [data-count=\"pause.waiting\"]") == "2"
                }
                #expect(try await browser.text("td[data-count=\"pause.waiting\"]") == "2")
                #expect(try await browser.script("return window.__samePage === true;") == true)
                if let screenshots {
                    try await browser.resize(width: 1280, height: 1500)
                    try await browser.screenshot(to: screenshots.appendingPathComponent("console-scenario.png"))
                    try await browser.resize(width: 1280, height: 900)
                }

                // Edit: take the lock, type an invalid version 2, see the error where it is.
                try await browser.click("a.button[href$=\"/edit\"]")
                try await browser.eventually("the editor") { try await browser.currentURL().hasSuffix("/edit") }
                try await browser.click("form[action$=\"/lock\"] button")
                try await browser.eventually("the lock to be ours") {
                    try await browser.text(".lock")?.contains("You hold the edit lock") == true
                }
                let broken = Self.welcome(version: 2, wait: "2h").replacingOccurrences(
                    of: "next: welcome", with: "next: welcom")
                guard case .failure(let errors) = ScenarioLoader.load(yaml: broken, file: "body"),
                    let error = errors.errors.first
                else { throw TestFailure("the broken YAML loads") }
                try await browser.type("#yaml", broken)
                let position = "line \(error.location.line), column \(error.location.column)"
                try await browser.eventually("the error at \(position)") {
                    try await browser.text("#errors")?.contains(position) == true
                }
                #expect(try await browser.text("#errors")?.contains("welcom") == true)
                if let screenshots {
                    _ = try await browser.script("document.getElementById('errors').scrollIntoView({block: 'end'});")
                    try await browser.screenshot(to: screenshots.appendingPathComponent("console-edit.png"))
                }
                // The error is a link that puts the caret on the line.
                try await browser.click("#errors a[data-line]")
                let caret = try await browser.script(
                    "var t = document.getElementById('yaml'); return t.value.slice(0, t.selectionStart).split('\\n').length;"
                )
                #expect(caret == .int(Int64(error.location.line)))

                // Fix it, check it on the server (the diff shows), deploy.
                try await browser.type("#yaml", Self.welcome(version: 2, wait: "2h"))
                try await browser.eventually("no errors") {
                    try await browser.text("#errors")?.contains("No errors") == true
                }
                try await browser.click("form.editor button[type=submit]:not([formaction])")
                try await browser.eventually("the diff") {
                    try await browser.text("#diff")?.contains("+     wait: 2h") == true
                }
                try await browser.click("button[formaction$=\"/deploy\"]")
                try await browser.eventually("the deployed notice") {
                    try await browser.text(".notice")?.contains("Version 2 is deployed") == true
                }
                let deployed = try await DeployOverHTTPTests.call(
                    .GET, "\(base)/v1/admin/scenarios/welcome-series", key: viewer.secret)
                #expect(deployed.body[member: "active_version"] == 2)

                // Pause.
                try await browser.click("form[action$=\"/pause\"] button")
                try await browser.eventually("the paused status") {
                    try await browser.text(".facts .status") == "paused"
                }
                #expect(
                    try await browser.script("return !!document.querySelector('form[action$=\"/resume\"]');") == true)
                let paused = try await DeployOverHTTPTests.call(
                    .GET, "\(base)/v1/admin/scenarios/welcome-series", key: viewer.secret)
                #expect(paused.body[member: "status"] == "paused")

                // A phone-sized window still shows the page without sideways scrolling of the body.
                try await browser.resize(width: 390, height: 844)
                #expect(
                    try await browser.script("return document.documentElement.scrollWidth <= window.innerWidth + 1;")
                        == true)
                if let screenshots {
                    try await browser.screenshot(to: screenshots.appendingPathComponent("console-phone.png"))
                }
                try await browser.resize(width: 1280, height: 900)

                // Sign out, sign in as a viewer: nothing to change is offered, and forcing it is refused.
                try await browser.click("form.who button")
                try await browser.eventually("the sign-in page") {
                    try await browser.currentURL().hasSuffix("/console/sign-in")
                }
                try await browser.type("#key", viewer.secret)
                try await browser.click("main form button[type=submit]")
                try await browser.eventually("the scenario list") {
                    try await browser.currentURL().hasSuffix("/console/scenarios")
                }
                if let screenshots {
                    try await browser.screenshot(to: screenshots.appendingPathComponent("console-scenarios.png"))
                }
                try await browser.open("\(base)/console/scenarios/welcome-series")
                #expect(
                    try await browser.script("return document.querySelectorAll('main form, a.button').length;") == 0)
                let refused = try await browser.asyncScript(
                    """
                    var done = arguments[arguments.length - 1];
                    var body = new URLSearchParams({csrf: document.querySelector('meta[name="csrf-token"]').content,
                      yaml: arguments[0], base_version: "2"});
                    fetch("/console/scenarios/welcome-series/deploy", {method: "POST", body: body, credentials: "same-origin"})
                      .then(function (r) { done(r.status); }, function (e) { done(String(e)); });
                    """, [.string(Self.welcome(version: 3))])
                #expect(refused == 403)
                try await browser.open("\(base)/console/scenarios/welcome-series/edit")
                #expect(try await browser.text("main p[role=alert]")?.contains("needs the editor role") == true)
                let after = try await DeployOverHTTPTests.call(
                    .GET, "\(base)/v1/admin/scenarios/welcome-series", key: viewer.secret)
                #expect(after.body[member: "active_version"] == 2)
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

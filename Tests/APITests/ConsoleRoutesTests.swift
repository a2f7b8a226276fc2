import EngineCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import API

/// `/console` in-process against PostgreSQL and Redis: sign-in with an API key into an HttpOnly,
/// SameSite=Strict session, CSRF and origin checks, what each role is offered and refused, the
/// scenario pages, validation with line:column, deploys with their refusals, locks and pauses.
@Suite("Console routes", .serialized, .timeLimit(.minutes(2)))
struct ConsoleRoutesTests {
    /// A signed-in browser: its session cookie and the CSRF token of its pages.
    struct Browser: Sendable {
        var cookie: String
        var csrf: String
    }

    static func signIn(_ client: any TestClientProtocol, key: String) async throws -> Browser {
        let response = try await client.execute(
            uri: "/console/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "key=\(key)"))
        #expect(response.status == .seeOther)
        #expect(response.headers[.location] == "/console/scenarios")
        let setCookie = try #require(response.headers[.setCookie])
        let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
        #expect(cookie.hasPrefix("nudge_console="))
        #expect(!setCookie.contains(key))
        let page = try await get(client, "/console/scenarios", cookie: cookie)
        #expect(page.status == .ok)
        let csrf = try #require(Self.csrf(in: page.text))
        return Browser(cookie: cookie, csrf: csrf)
    }

    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: "<meta name=\"csrf-token\" content=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, cookie: String?) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: cookie.map { [.cookie: $0] } ?? [:], body: nil)
    }

    static func post(
        _ client: any TestClientProtocol, _ uri: String, browser: Browser, fields: [String: String] = [:],
        csrf: String? = nil, origin: String? = nil
    ) async throws -> TestResponse {
        var all = fields
        all["csrf"] = csrf ?? browser.csrf
        let body = all.map { "\($0.key)=\(Self.encode($0.value))" }.joined(separator: "&")
        var headers: HTTPFields = [.cookie: browser.cookie, .contentType: "application/x-www-form-urlencoded"]
        if let origin { headers[.origin] = origin }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    static func deployGreeter(_ client: any TestClientProtocol, _ keys: AdminFixture) async throws {
        let deploy = try await client.send(
            .post, "/v1/admin/scenarios/greeter/versions?base_version=0", key: keys.publisher,
            body: greeterYAML(version: 1))
        #expect(deploy.status == .created)
    }

    @Test func signInGivesAnHttpOnlyStrictSessionAndSignOutEndsIt() async throws {
        try await AdminFixture.run("console-session") { client, keys in
            // Without a session every page goes to the sign-in page.
            for uri in [
                "/console", "/console/scenarios", "/console/scenarios/greeter", "/console/scenarios/greeter/edit",
            ] {
                let response = try await Self.get(client, uri, cookie: nil)
                #expect(response.status == .seeOther, "\(uri)")
                #expect(
                    response.headers[.location] == (uri == "/console" ? "/console/scenarios" : "/console/sign-in"))
            }
            let signInPage = try await Self.get(client, "/console/sign-in", cookie: nil)
            #expect(signInPage.status == .ok)
            #expect(signInPage.text.contains("<label for=\"key\">API key</label>"))
            #expect(signInPage.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)

            let wrong = try await client.execute(
                uri: "/console/sign-in", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "key=nk_nope"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            #expect(wrong.text.contains("role=\"alert\""))

            let response = try await client.execute(
                uri: "/console/sign-in", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "key=\(keys.editor)"))
            let setCookie = try #require(response.headers[.setCookie])
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age=28800"] {
                #expect(setCookie.contains(attribute), "\(setCookie)")
            }
            let browser = try await Self.signIn(client, key: keys.editor)
            let page = try await Self.get(client, "/console/scenarios", cookie: browser.cookie)
            #expect(page.text.contains("ana <span class=\"role\">editor</span>"))
            // The key is never in a page; the session is stored under its token's hash only.
            #expect(!page.text.contains(keys.editor))
            #expect(try await keys.audit().contains { $0.actor == "ana" && $0.action == "console.sign_in" })

            // A cross-site form and a form without the session's token are refused.
            let crossSite = try await Self.post(
                client, "/console/sign-out", browser: browser, origin: "https://evil.example")
            #expect(crossSite.status == .forbidden)
            let forged = try await Self.post(client, "/console/sign-out", browser: browser, csrf: "guess")
            #expect(forged.status == .forbidden)
            #expect(try await Self.get(client, "/console/scenarios", cookie: browser.cookie).status == .ok)

            let signOut = try await Self.post(client, "/console/sign-out", browser: browser)
            #expect(signOut.status == .seeOther)
            #expect(signOut.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = try await Self.get(client, "/console/scenarios", cookie: browser.cookie)
            #expect(after.status == .seeOther)
            #expect(after.headers[.location] == "/console/sign-in")
        }
    }

    @Test func theListAndTheScenarioPageShowStatusLockGraphAndCounts() async throws {
        try await AdminFixture.run("console-pages") { client, keys in
            try await Self.deployGreeter(client, keys)
            #expect(
                try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.otherEditor).status == .ok)
            // The engine's counters for today, as it writes them.
            let hour = ScenarioReportBuilder.bucket(Date())
            _ = try await keys.redis.send("HSET", "\(keys.keyPrefix):report:greeter:\(hour)", "entered|pause", "3")
            _ = try await keys.redis.send("HSET", "\(keys.keyPrefix):report-now:greeter", "waiting|pause", "2")

            let viewer = try await Self.signIn(client, key: keys.viewer)
            let list = try await Self.get(client, "/console/scenarios", cookie: viewer.cookie)
            #expect(list.text.contains("<a href=\"/console/scenarios/greeter\">Greeter</a>"))
            #expect(list.text.contains("status-active"))
            #expect(list.text.contains("bo until"))
            #expect(list.text.contains("<td class=\"num\">3</td>"))

            let page = try await Self.get(client, "/console/scenarios/greeter", cookie: viewer.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg class=\"graph\""))
            #expect(page.text.contains("data-count=\"pause.waiting\">2</tspan>"))
            #expect(page.text.contains("data-count=\"total.entered\">3</tspan>"))
            #expect(page.text.contains("data-counts-url=\"/console/scenarios/greeter/counts\""))
            #expect(page.text.contains("<td>cy</td>"))
            // A viewer is offered nothing to change.
            for action in ["/edit\"", "/pause\"", "/archive\"", "/deploy\""] {
                #expect(!page.text.contains(action), "\(action)")
            }

            let counts = try await Self.get(client, "/console/scenarios/greeter/counts", cookie: viewer.cookie)
            #expect(counts.status == .ok)
            let json = Value.object(try counts.json())
            #expect(json[member: "counts"][member: "pause.waiting"] == 2)
            #expect(json[member: "counts"][member: "total.entered"] == 3)
            let anonymous = try await Self.get(client, "/console/scenarios/greeter/counts", cookie: nil)
            #expect(anonymous.status == .unauthorized)

            let publisher = try await Self.signIn(client, key: keys.publisher)
            let offered = try await Self.get(client, "/console/scenarios/greeter", cookie: publisher.cookie).text
            for action in ["/edit\"", "/pause\"", "/archive\""] { #expect(offered.contains(action), "\(action)") }
            #expect(try await Self.get(client, "/console/scenarios/nope", cookie: viewer.cookie).status == .notFound)
        }
    }

    @Test func editorsCheckYAMLAndPublishersDeployWithTheBaseVersion() async throws {
        try await AdminFixture.run("console-edit") { client, keys in
            try await Self.deployGreeter(client, keys)
            let viewer = try await Self.signIn(client, key: keys.viewer)
            #expect(
                try await Self.get(client, "/console/scenarios/greeter/edit", cookie: viewer.cookie).status
                    == .forbidden)

            let editor = try await Self.signIn(client, key: keys.editor)
            let edit = try await Self.get(client, "/console/scenarios/greeter/edit", cookie: editor.cookie)
            #expect(edit.status == .ok)
            #expect(edit.text.contains("<label for=\"yaml\">"))
            #expect(edit.text.contains("name=\"base_version\" value=\"1\""))
            #expect(edit.text.contains("version: 1"))
            #expect(!edit.text.contains("formaction=\"/console/scenarios/greeter/deploy\""))

            // An invalid edit: the error at its line and column, as the loader reports it.
            let broken = greeterYAML(version: 2).replacingOccurrences(of: "next: hello", with: "next: helo")
            let expected = try #require(ScenarioLoader.load(yaml: broken, file: "body").failure).errors[0]
            let checked = try await Self.post(
                client, "/console/scenarios/greeter/validate", browser: editor,
                fields: ["yaml": broken, "base_version": "1"])
            #expect(checked.status == .unprocessableContent)
            #expect(
                checked.text.contains(
                    "data-line=\"\(expected.location.line)\" data-column=\"\(expected.location.column)\">line \(expected.location.line), column \(expected.location.column)</a>"
                ))
            #expect(checked.text.contains("unknown step"))
            #expect(checked.text.contains("<ins>+ version: 2\n</ins>"))

            // The script's check: JSON with the token in a header.
            let script = try await client.execute(
                uri: "/console/scenarios/validate", method: .post,
                headers: [.cookie: editor.cookie, HTTPField.Name("X-CSRF-Token")!: editor.csrf],
                body: ByteBuffer(string: broken))
            #expect(script.status == .ok)
            #expect(try script.json()["valid"] == false)
            #expect(
                Value.object(try script.json())[member: "errors"][index: 0][member: "line"]
                    == .int(Int64(expected.location.line)))
            let noToken = try await client.execute(
                uri: "/console/scenarios/validate", method: .post, headers: [.cookie: editor.cookie],
                body: ByteBuffer(string: broken))
            #expect(noToken.status == .forbidden)

            // An editor may not deploy, even by posting the form.
            let fixed = greeterYAML(version: 2, template: "welcome-v2")
            let refused = try await Self.post(
                client, "/console/scenarios/greeter/deploy", browser: editor,
                fields: ["yaml": fixed, "base_version": "1"])
            #expect(refused.status == .forbidden)
            #expect(
                try await client.send(.get, "/v1/admin/scenarios/greeter", key: keys.viewer).json()["active_version"]
                    == 1)

            // A publisher deploys; a second deploy from the same base is stale.
            let publisher = try await Self.signIn(client, key: keys.publisher)
            let offered = try await Self.get(client, "/console/scenarios/greeter/edit", cookie: publisher.cookie)
            #expect(offered.text.contains("formaction=\"/console/scenarios/greeter/deploy\""))
            let deployed = try await Self.post(
                client, "/console/scenarios/greeter/deploy", browser: publisher,
                fields: ["yaml": fixed, "base_version": "1"])
            #expect(deployed.status == .seeOther)
            #expect(deployed.headers[.location] == "/console/scenarios/greeter?notice=deployed&version=2")
            let page = try await Self.get(
                client, "/console/scenarios/greeter?notice=deployed&version=2", cookie: publisher.cookie)
            #expect(page.text.contains("Version 2 is deployed"))
            #expect(
                try await client.send(.get, "/v1/admin/scenarios/greeter", key: keys.viewer).json()["active_version"]
                    == 2)
            #expect(try await keys.audit().contains { $0.actor == "cy" && $0.action == "scenario.deploy" })

            let stale = try await Self.post(
                client, "/console/scenarios/greeter/deploy", browser: publisher,
                fields: ["yaml": greeterYAML(version: 3), "base_version": "1"])
            #expect(stale.status == .conflict)
            #expect(stale.text.contains("Not deployed:"))
            #expect(stale.text.contains("version: 3"))
        }
    }

    @Test func locksAndPausesGoThroughTheSameRulesAsTheAPI() async throws {
        try await AdminFixture.run("console-lock") { client, keys in
            try await Self.deployGreeter(client, keys)
            let editor = try await Self.signIn(client, key: keys.editor)
            let take = try await Self.post(client, "/console/scenarios/greeter/lock", browser: editor)
            #expect(take.status == .seeOther)
            #expect(take.headers[.location] == "/console/scenarios/greeter/edit?notice=locked")
            let mine = try await Self.get(
                client, "/console/scenarios/greeter/edit?notice=locked", cookie: editor.cookie)
            #expect(mine.text.contains("You hold the edit lock until"))
            #expect(mine.text.contains("/console/scenarios/greeter/unlock"))

            // Another publisher sees who holds it and cannot deploy meanwhile.
            let publisher = try await Self.signIn(client, key: keys.publisher)
            let theirs = try await Self.get(client, "/console/scenarios/greeter/edit", cookie: publisher.cookie)
            #expect(theirs.text.contains("ana is editing this scenario until"))
            let blocked = try await Self.post(
                client, "/console/scenarios/greeter/deploy", browser: publisher,
                fields: ["yaml": greeterYAML(version: 2), "base_version": "1"])
            #expect(blocked.status.code == 423)
            let lockAgain = try await Self.post(client, "/console/scenarios/greeter/lock", browser: publisher)
            #expect(lockAgain.status.code == 423)
            #expect(lockAgain.text.contains("being edited by ana"))

            #expect(
                try await Self.post(client, "/console/scenarios/greeter/unlock", browser: editor).status == .seeOther)
            #expect(try await client.send(.get, "/v1/admin/scenarios/greeter", key: keys.viewer).json()["lock"] == nil)

            // Pause and resume: publishers only.
            #expect(
                try await Self.post(client, "/console/scenarios/greeter/pause", browser: editor).status == .forbidden)
            let pause = try await Self.post(client, "/console/scenarios/greeter/pause", browser: publisher)
            #expect(pause.headers[.location] == "/console/scenarios/greeter?notice=paused")
            let paused = try await Self.get(client, "/console/scenarios/greeter", cookie: publisher.cookie)
            #expect(paused.text.contains("status-paused"))
            #expect(paused.text.contains("/console/scenarios/greeter/resume"))
            #expect(
                try await Self.post(client, "/console/scenarios/greeter/resume", browser: publisher).status == .seeOther
            )
            #expect(
                try await client.send(.get, "/v1/admin/scenarios/greeter", key: keys.viewer).json()["status"]
                    == "active")
        }
    }
}

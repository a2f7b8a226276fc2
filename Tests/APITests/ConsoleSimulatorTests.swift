import EngineCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import API

/// `/console/simulate` in-process: the pure simulator over pasted events with the deployed
/// scenarios (or pasted YAML) and the contact policy in force, the effects timeline with what
/// would be sent when and what the policy suppressed and why, and the input errors by line.
@Suite("Console simulator", .serialized, .timeLimit(.minutes(2)))
struct ConsoleSimulatorTests {
    /// One email a day per customer.
    static let policy = """
        version: 1
        default_timezone: UTC
        caps:
          - channel: email
            max: 1
            per: day
        """

    static let signUp = #"{"type":"track","userId":"u1","event":"Signed Up","timestamp":"2026-05-01T10:00:00Z"}"#

    static func run(
        _ client: any TestClientProtocol, _ browser: ConsoleRoutesTests.Browser, _ fields: [String: String]
    ) async throws -> TestResponse {
        try await ConsoleRoutesTests.post(client, "/console/simulate", browser: browser, fields: fields)
    }

    @Test func theEffectsTimelineShowsSendsAndWhatThePolicySuppressed() async throws {
        let policy = try PolicyLoader.load(yaml: Self.policy, file: "policy.yaml").get()
        try await AdminFixture.run("console-simulate", policy: policy) { client, keys in
            try await ConsoleRoutesTests.deployGreeter(client, keys)
            let viewer = try await ConsoleRoutesTests.signIn(client, key: keys.viewer)
            let form = try await ConsoleRoutesTests.get(
                client, "/console/simulate?scenario=greeter", cookie: viewer.cookie)
            #expect(form.status == .ok)
            #expect(form.text.contains("<option value=\"greeter\" selected>greeter (v1, active)</option>"))
            #expect(form.text.contains("<label for=\"events\">Events (JSON lines)</label>"))
            let scenarioPage = try await ConsoleRoutesTests.get(
                client, "/console/scenarios/greeter", cookie: viewer.cookie)
            #expect(scenarioPage.text.contains("href=\"/console/simulate?scenario=greeter\""))

            // The deployed greeter and a pasted second one both email u1 an hour after sign-up:
            // the cap lets one through and suppresses the other, saying why.
            let second = greeterYAML(version: 1).replacingOccurrences(of: "id: greeter", with: "id: greeter-two")
            let capped = try await Self.run(
                client, viewer,
                ["scenario": "", "yaml": second, "events": Self.signUp, "policy": "on", "horizon": "2d"])
            #expect(capped.status == .ok)
            let text = capped.text
            #expect(text.contains("<strong data-summary=\"sent\">1</strong>"))
            #expect(text.contains("<strong data-summary=\"suppressed\">1</strong>"))
            #expect(text.contains("<td>2026-05-01T10:00:00Z</td><td>u1</td>"))
            #expect(text.contains("<td>entered</td>"))
            #expect(text.contains("<tr class=\"effect-send\"><td>2026-05-01T11:00:00Z</td>"))
            #expect(text.contains("<td>would send</td><td>email · welcome</td>"))
            #expect(text.contains("<td>suppressed</td><td>email · welcome; why: cap:email:day</td>"))
            // The form is kept for the next run.
            #expect(text.contains("id: greeter-two"))
            #expect(text.contains("&quot;Signed Up&quot;"))

            // Without the policy both go.
            let free = try await Self.run(client, viewer, ["scenario": "", "yaml": second, "events": Self.signUp])
            #expect(free.text.contains("<strong data-summary=\"sent\">2</strong>"))
            #expect(free.text.contains("<strong data-summary=\"suppressed\">0</strong>"))
            // Only the chosen scenario runs.
            let one = try await Self.run(client, viewer, ["scenario": "greeter", "events": Self.signUp])
            #expect(one.text.contains("<strong data-summary=\"sent\">1</strong>"))
            #expect(!one.text.contains("greeter-two"))
        }
    }

    @Test func wrongInputIsShownWithItsLineAndNothingRuns() async throws {
        try await AdminFixture.run("console-simulate-errors") { client, keys in
            try await ConsoleRoutesTests.deployGreeter(client, keys)
            let viewer = try await ConsoleRoutesTests.signIn(client, key: keys.viewer)
            let badEvents = try await Self.run(client, viewer, ["events": Self.signUp + "\n{\"type\": "])
            #expect(badEvents.status == .unprocessableContent)
            #expect(badEvents.text.contains("data-field=\"events\">events:2: error: not valid JSON"))
            let noEvents = try await Self.run(client, viewer, ["events": " "])
            #expect(noEvents.status == .unprocessableContent)
            let badProfile = try await Self.run(
                client, viewer, ["events": Self.signUp, "profiles": #"{"traits": {}}"#])
            #expect(badProfile.text.contains("profiles:1: error: a profile needs"))
            let badYAML = try await Self.run(
                client, viewer,
                [
                    "events": Self.signUp,
                    "yaml": greeterYAML(version: 2).replacingOccurrences(of: "next: hello", with: "next: helo"),
                ])
            #expect(badYAML.status == .unprocessableContent)
            #expect(badYAML.text.contains("data-field=\"yaml\">YAML: line "))
            let unknown = try await Self.run(client, viewer, ["events": Self.signUp, "scenario": "nope"])
            #expect(unknown.text.contains("no deployed scenario nope"))
            let horizon = try await Self.run(client, viewer, ["events": Self.signUp, "horizon": "soon"])
            #expect(horizon.text.contains("data-field=\"horizon\""))
            let forged = try await ConsoleRoutesTests.post(
                client, "/console/simulate", browser: viewer, fields: ["events": Self.signUp], csrf: "guess")
            #expect(forged.status == .forbidden)
        }
    }
}

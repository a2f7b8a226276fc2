import EngineCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import API

/// The audit log read back: `GET /v1/admin/audit` (one scenario's history for viewers, all of it
/// for admins, paged newest first) and the history section of the console's scenario page.
@Suite("Audit log routes", .serialized, .timeLimit(.minutes(2)))
struct AuditRoutesTests {
    static func entries(_ response: TestResponse) throws -> [Value] {
        guard case .list(let entries)? = try response.json()["entries"] else { throw TestFailure("no entries") }
        return entries
    }

    /// Deploys greeter 1 and 2 (cy), a neighbour `greeter-two` whose subject shares the prefix,
    /// takes and releases the lock (ana) and pauses (cy).
    static func makeHistory(_ client: any TestClientProtocol, _ keys: AdminFixture) async throws {
        try await ConsoleRoutesTests.deployGreeter(client, keys)
        let neighbour = greeterYAML(version: 1).replacingOccurrences(of: "id: greeter", with: "id: greeter-two")
        #expect(
            try await client.send(
                .post, "/v1/admin/scenarios/greeter-two/versions?base_version=0", key: keys.publisher, body: neighbour
            ).status == .created)
        #expect(try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.editor).status == .ok)
        #expect(
            try await client.send(.delete, "/v1/admin/scenarios/greeter/lock", key: keys.editor).status == .noContent)
        #expect(
            try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions?base_version=1", key: keys.publisher,
                body: greeterYAML(version: 2)
            ).status == .created)
        #expect(try await client.send(.post, "/v1/admin/scenarios/greeter/pause", key: keys.publisher).status == .ok)
    }

    @Test func aScenariosHistoryIsPagedNewestFirstAndTheWholeLogIsForAdmins() async throws {
        try await AdminFixture.run("audit-read") { client, keys in
            try await Self.makeHistory(client, keys)

            let all = try await client.send(.get, "/v1/admin/audit?scenario=greeter", key: keys.viewer)
            #expect(all.status == .ok)
            let entries = try Self.entries(all)
            #expect(
                entries.map { $0[member: "action"] } == [
                    "scenario.paused", "scenario.deploy", "scenario.unlock", "scenario.lock", "scenario.deploy",
                ])
            #expect(entries.map { $0[member: "subject"] }[1] == "greeter@2")
            #expect(entries.map { $0[member: "actor"] } == ["cy", "cy", "ana", "ana", "cy"])
            #expect(try all.json()["next_before"] == nil)
            guard case .string(let at)? = entries.first?[member: "at"] else { throw TestFailure("no at") }
            #expect(ISO8601.parse(at) != nil)

            // Two at a time: the cursor walks back to the first deploy and stops there.
            let first = try await client.send(.get, "/v1/admin/audit?scenario=greeter&limit=2", key: keys.viewer)
            #expect(try Self.entries(first).map { $0[member: "action"] } == ["scenario.paused", "scenario.deploy"])
            guard case .int(let cursor)? = try first.json()["next_before"] else { throw TestFailure("no cursor") }
            let second = try await client.send(
                .get, "/v1/admin/audit?scenario=greeter&limit=2&before=\(cursor)", key: keys.viewer)
            #expect(try Self.entries(second).map { $0[member: "action"] } == ["scenario.unlock", "scenario.lock"])
            guard case .int(let next)? = try second.json()["next_before"] else { throw TestFailure("no cursor") }
            let last = try await client.send(
                .get, "/v1/admin/audit?scenario=greeter&limit=2&before=\(next)", key: keys.viewer)
            #expect(try Self.entries(last).map { $0[member: "subject"] } == ["greeter@1"])
            #expect(try last.json()["next_before"] == nil)

            // The whole log: admins only; it holds the neighbour too.
            #expect(try await client.send(.get, "/v1/admin/audit", key: keys.publisher).status == .forbidden)
            let everything = try await client.send(.get, "/v1/admin/audit", key: keys.admin)
            #expect(everything.status == .ok)
            #expect(try Self.entries(everything).contains { $0[member: "subject"] == "greeter-two@1" })
            #expect(try Self.entries(everything).count == 6)

            for bad in ["scenario=Bad!", "before=0", "before=x", "limit=501"] {
                let response = try await client.send(.get, "/v1/admin/audit?\(bad)", key: keys.admin)
                #expect(response.status == .badRequest, "\(bad)")
            }
            #expect(try await client.send(.get, "/v1/admin/audit?scenario=greeter", key: nil).status == .unauthorized)
        }
    }

    @Test func theScenarioPageShowsWhoChangedWhatAndWhen() async throws {
        try await AdminFixture.run("audit-console") { client, keys in
            try await Self.makeHistory(client, keys)
            let viewer = try await ConsoleRoutesTests.signIn(client, key: keys.viewer)
            let page = try await ConsoleRoutesTests.get(client, "/console/scenarios/greeter", cookie: viewer.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("<h2 id=\"history-heading\">History</h2>"))
            for (who, what) in [
                ("cy", "paused"), ("cy", "deployed version 2"), ("ana", "released the edit lock"),
                ("ana", "took the edit lock"), ("cy", "deployed version 1"),
            ] {
                #expect(page.text.contains("<td>\(who)</td><td>\(what)</td>"), "\(what)")
            }
            #expect(!page.text.contains("Older changes"))
            #expect(
                ScenarioHistory.describe(
                    AuditEntry(
                        id: 1, at: Date(), actor: "ops", action: "scenario.unlock", subject: "greeter",
                        detail: ["broken_lock_of": "ana"])) == "broke the edit lock of ana")

            let bad = try await ConsoleRoutesTests.get(
                client, "/console/scenarios/greeter?history_before=x", cookie: viewer.cookie)
            #expect(bad.status == .badRequest)
        }
    }
}

import API
import EngineCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The edit lock: one editor at a time; others cannot take it or deploy over it until it is
/// released or expires; an admin can break it.
@Suite("Admin API: scenario edit locks", .serialized, .timeLimit(.minutes(2)))
struct ScenarioLockRoutesTests {
    @Test func aLockKeepsOtherEditorsAndPublishersOut() async throws {
        try await AdminFixture.run("locks") { client, keys in
            // cy (a publisher) takes the lock before editing.
            let taken = try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.publisher)
            #expect(taken.status == .ok)
            let lock = try taken.json()
            #expect(lock["holder"] == "cy")
            #expect(lock["scenario"] == "greeter")
            let expires = try #require(lock["expires_at"]?.stringValue.flatMap(ISO8601.parse))
            let acquired = try #require(lock["acquired_at"]?.stringValue.flatMap(ISO8601.parse))
            #expect(expires.milliseconds - acquired.milliseconds == 15 * 60 * 1000)

            // Someone else: neither the lock nor a deploy.
            let refused = try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.editor)
            #expect(refused.status.code == 423)
            #expect(problem(refused)?.type == "urn:nudge:problem:locked")
            #expect(problem(refused)?.lock?.holder == "cy")
            let deployByOther = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.otherPublisher, body: greeterYAML(version: 1))
            #expect(deployByOther.status.code == 423)
            #expect(problem(deployByOther)?.lock?.holder == "cy")
            let releaseByOther = try await client.send(.delete, "/v1/admin/scenarios/greeter/lock", key: keys.editor)
            #expect(releaseByOther.status.code == 423)

            // The holder deploys, renews (the lock keeps its start) and the list shows who edits.
            let deploy = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher, body: greeterYAML(version: 1))
            #expect(deploy.status == .created)
            let renewed = try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.publisher)
            #expect(try renewed.json()["acquired_at"] == lock["acquired_at"])
            let list = try await client.send(.get, "/v1/admin/scenarios", key: keys.viewer)
            guard case .list(let scenarios)? = try list.json()["scenarios"] else { throw TestFailure("no list") }
            #expect(scenarios.first?[member: "lock"][member: "holder"] == "cy")

            // Released: the other editor may take it; releasing again is fine.
            #expect(
                try await client.send(.delete, "/v1/admin/scenarios/greeter/lock", key: keys.publisher).status
                    == .noContent)
            #expect(
                try await client.send(.delete, "/v1/admin/scenarios/greeter/lock", key: keys.publisher).status
                    == .noContent)
            #expect(try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.editor).status == .ok)
            let one = try await client.send(.get, "/v1/admin/scenarios/greeter", key: keys.viewer)
            #expect(try one.json()["lock"]?[member: "holder"] == "ana")
            // An admin breaks an abandoned lock.
            #expect(
                try await client.send(.delete, "/v1/admin/scenarios/greeter/lock", key: keys.admin).status == .noContent
            )
            #expect(
                try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.otherEditor).status == .ok)

            let audit = try await keys.audit()
            #expect(
                audit.map(\.action) == [
                    "scenario.lock", "scenario.deploy", "scenario.lock.renew", "scenario.unlock", "scenario.lock",
                    "scenario.unlock", "scenario.lock",
                ])
            #expect(audit.map(\.actor) == ["cy", "cy", "cy", "cy", "ana", "ops", "bo"])
            #expect(audit[5].detail.contains("\"broken_lock_of\": \"ana\""))
        }
    }

    @Test func anExpiredLockNoLongerHolds() async throws {
        try await AdminFixture.run("lock-ttl", config: { $0.scenarioLockTTL = .seconds(3) }) { client, keys in
            #expect(try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.editor).status == .ok)
            #expect(
                try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.otherEditor).status.code
                    == 423)
            try await Task.sleep(for: .milliseconds(3300))
            let taken = try await client.send(.post, "/v1/admin/scenarios/greeter/lock", key: keys.otherEditor)
            #expect(taken.status == .ok)
            #expect(try taken.json()["holder"] == "bo")
            // Expired, the lock does not stop a deploy either.
            try await Task.sleep(for: .milliseconds(3300))
            let deploy = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher, body: greeterYAML(version: 1))
            #expect(deploy.status == .created)
        }
    }
}

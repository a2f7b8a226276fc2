import EngineCore
import Foundation
import NudgeTestSupport
import PostgresNIO
import ScenarioStore
import Testing

@testable import NudgeApp

@Suite("Scenario edit locks, stale deploys and reads", .timeLimit(.minutes(2)))
struct ScenarioLocksAndReadsTests {
    typealias Store = PostgresScenarioStoreTests

    @Test func aDeployBasedOnAnOlderVersionIsRefused() async throws {
        try await Store.withStore { store, _ in
            await #expect {
                try await store.deploy(yaml: Store.yaml(version: 1), file: "g.yaml", by: "ana", baseVersion: 3)
            } throws: { ($0 as? ScenarioStoreError)?.code == .staleBase }
            let first = try await store.deploy(yaml: Store.yaml(version: 1), file: "g.yaml", by: "ana", baseVersion: 0)
            #expect(first == .deployed(id: "greeter", version: 1))
            let second = try await store.deploy(
                yaml: Store.yaml(version: 2, template: "v2"), file: "g.yaml", by: "ana", baseVersion: 1)
            #expect(second == .deployed(id: "greeter", version: 2))
            await #expect {
                try await store.deploy(
                    yaml: Store.yaml(version: 3, template: "v3"), file: "g.yaml", by: "bo", baseVersion: 1)
            } throws: { error in
                guard let error = error as? ScenarioStoreError else { return false }
                return error.code == .staleBase && error.message.contains("at version 2")
            }
            // Re-deploying what is there is not a conflict, whatever the base.
            let again = try await store.deploy(
                yaml: Store.yaml(version: 2, template: "v2"), file: "g.yaml", by: "bo", baseVersion: 1)
            #expect(again == .unchanged(id: "greeter", version: 2))
        }
    }

    @Test func locksAreHeldRenewedReleasedAndEnforcedOnDeploys() async throws {
        try await Store.withStore { store, client in
            guard case .acquired(let lock) = try await store.lock("greeter", holder: "ana", ttl: .seconds(60)) else {
                throw LockFailure()
            }
            #expect(lock.holder == "ana")
            #expect(abs(lock.expiresAt.timeIntervalSince(lock.acquiredAt) - 60) < 0.01)
            #expect(try await store.currentLock("greeter") == lock)
            #expect(try await store.currentLocks() == ["greeter": lock])
            #expect(try await store.lock("greeter", holder: "bo", ttl: .seconds(60)) == .heldByOther(lock))
            guard case .acquired(let renewed) = try await store.lock("greeter", holder: "ana", ttl: .seconds(120))
            else {
                throw LockFailure()
            }
            #expect(renewed.acquiredAt == lock.acquiredAt && renewed.expiresAt > lock.expiresAt)

            // Deploys that enforce the lock: only its holder; others (the CLI, the rules seed) do not check.
            await #expect {
                try await store.deploy(yaml: Store.yaml(version: 1), file: "g.yaml", by: "bo", enforcingLock: true)
            } throws: { error in
                guard let error = error as? ScenarioStoreError else { return false }
                return error.code == .locked && error.lock?.holder == "ana"
            }
            #expect(
                try await store.deploy(yaml: Store.yaml(version: 1), file: "g.yaml", by: "ana", enforcingLock: true)
                    == .deployed(id: "greeter", version: 1))
            #expect(
                try await store.deploy(yaml: Store.yaml(version: 2), file: "g.yaml", by: "cli")
                    == .deployed(id: "greeter", version: 2))

            #expect(try await store.unlock("greeter", holder: "bo") == .heldByOther(renewed))
            #expect(try await store.unlock("greeter", holder: "ana") == .released)
            #expect(try await store.unlock("greeter", holder: "ana") == .notLocked)
            #expect(try await store.currentLock("greeter") == nil)
            guard case .acquired = try await store.lock("greeter", holder: "bo", ttl: .seconds(60)) else {
                throw LockFailure()
            }
            #expect(try await store.unlock("greeter", holder: "ops", force: true) == .released)

            // An expired lock holds nobody back.
            _ = try await store.lock("greeter", holder: "bo", ttl: .milliseconds(300))
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await store.currentLock("greeter") == nil)
            if case .heldByOther = try await store.lock("greeter", holder: "ana", ttl: .seconds(60)) {
                throw LockFailure()
            }

            let rows = try await client.query(
                "SELECT actor, action, detail::text FROM audit_log WHERE action LIKE 'scenario.%lock%' ORDER BY id")
            var audit: [String] = []
            for try await (actor, action, detail) in rows.decode((String, String, String).self) {
                audit.append("\(actor) \(action) \(detail)")
            }
            #expect(
                audit == [
                    "ana scenario.lock {}", "ana scenario.lock.renew {}", "ana scenario.unlock {}",
                    "bo scenario.lock {}",
                    #"ops scenario.unlock {"broken_lock_of": "bo"}"#, "bo scenario.lock {}", "ana scenario.lock {}",
                ])
        }
    }

    @Test func readsOfOneScenarioItsVersionsAndSources() async throws {
        try await Store.withStore { store, _ in
            #expect(try await store.scenario("greeter") == nil)
            #expect(try await store.versions(of: "greeter").isEmpty)
            _ = try await store.deploy(yaml: Store.yaml(version: 1), file: "g.yaml", by: "ana")
            _ = try await store.deploy(yaml: Store.yaml(version: 2, template: "v2"), file: "g.yaml", by: "bo")
            let scenario = try #require(try await store.scenario("greeter"))
            #expect(scenario.activeVersion == 2 && scenario.versions == [1, 2] && scenario.status == .active)
            let versions = try await store.versions(of: "greeter")
            #expect(versions.map(\.version) == [1, 2])
            #expect(versions.map(\.deployedBy) == ["ana", "bo"])
            #expect(versions.allSatisfy { $0.checksum.count == 64 })
            #expect(try await store.source(of: "greeter", version: 2) == Store.yaml(version: 2, template: "v2"))
            #expect(try await store.source(of: "greeter", version: 3) == nil)
        }
    }
}

struct LockFailure: Error {}

import EngineCore
import Foundation
import Logging
import NudgePostgres
import NudgeTestSupport
import PostgresNIO
import ScenarioStore
import Testing

@testable import NudgeApp

@Suite("Scenario versions in PostgreSQL", .timeLimit(.minutes(2)))
struct PostgresScenarioStoreTests {
    static func yaml(version: Int, template: String = "hello", status: String = "active") -> String {
        """
        id: greeter
        version: \(version)
        name: Greeter
        owner: tests
        status: \(status)
        trigger:
          event: Signed Up
        start: hello
        steps:
          hello:
            send:
              channel: email
              template: \(template)
            next: done
          done:
            end: {}
        """
    }

    /// A fresh database with Nudge's migrations applied, dropped afterwards.
    static func withStore<T: Sendable>(
        _ body: @Sendable (PostgresScenarioStore, PostgresClient) async throws -> T
    ) async throws -> T {
        try await TestPostgres.withFreshDatabase(migrations: try BundledMigrations.load()) { client, _ in
            try await body(PostgresScenarioStore(client: client, logger: TestPostgres.logger), client)
        }
    }

    @Test func deploysNewVersionsAndRefusesRewrites() async throws {
        try await Self.withStore { store, _ in
            #expect(try await store.deploy(yaml: Self.yaml(version: 1), file: "g.yaml", by: "ana") == .deployed(id: "greeter", version: 1))
            #expect(try await store.deploy(yaml: Self.yaml(version: 1), file: "g.yaml", by: "ana") == .unchanged(id: "greeter", version: 1))
            await #expect { try await store.deploy(yaml: Self.yaml(version: 1, template: "other"), file: "g.yaml", by: "ana") }
                throws: { ($0 as? ScenarioStoreError)?.code == .versionConflict }
            #expect(try await store.deploy(yaml: Self.yaml(version: 2, template: "v2"), file: "g.yaml", by: "bo") == .deployed(id: "greeter", version: 2))
            await #expect { try await store.deploy(yaml: Self.yaml(version: 1, template: "x"), file: "g.yaml", by: "ana") }
                throws: { ($0 as? ScenarioStoreError)?.code == .versionConflict }
            await #expect { try await store.deploy(yaml: Self.yaml(version: 3, status: "draft"), file: "g.yaml", by: "ana") }
                throws: { ($0 as? ScenarioStoreError)?.code == .draft }
            await #expect {
                try await store.deploy(yaml: "id: broken\nversion: 1\n", file: "broken.yaml", by: "ana")
            } throws: { error in
                guard let error = error as? ScenarioStoreError else { return false }
                return error.code == .invalid && error.ruleErrors.contains { $0.location.file == "broken.yaml" }
            }
            let listed = try await store.list()
            #expect(listed.map(\.id) == ["greeter"])
            #expect(listed.first?.versions == [1, 2])
            #expect(listed.first?.activeVersion == 2)
        }
    }

    @Test func theCatalogKeepsOldVersionsAndPausingStopsNewEntries() async throws {
        try await Self.withStore { store, client in
            let start = try await store.revision()
            _ = try await store.deploy(yaml: Self.yaml(version: 1), file: "g.yaml", by: "ana")
            _ = try await store.deploy(yaml: Self.yaml(version: 2, template: "v2"), file: "g.yaml", by: "ana")
            _ = try await store.deploy(yaml: Self.yaml(version: 2, template: "v2"), file: "g.yaml", by: "ana")
            var (catalog, revision) = try await store.catalog()
            #expect(revision == start + 2, "an unchanged deploy must not move the revision")
            #expect(catalog.liveScenario(id: "greeter")?.version == 2)
            #expect(catalog.scenario(id: "greeter", version: 1) != nil)

            try await store.setStatus(.paused, of: "greeter", by: "ana")
            (catalog, revision) = try await store.catalog()
            #expect(revision == start + 3)
            #expect(catalog.liveScenario(id: "greeter") == nil)
            #expect(catalog.scenario(id: "greeter", version: 2)?.status == .paused)

            try await store.setStatus(.active, of: "greeter", by: "ana")
            #expect(try await store.catalog().catalog.liveScenario(id: "greeter")?.version == 2)
            await #expect { try await store.setStatus(.paused, of: "nobody", by: "ana") }
                throws: { ($0 as? ScenarioStoreError)?.code == .notFound }

            let rows = try await client.query("SELECT actor, action, subject FROM audit_log ORDER BY id")
            var audit: [String] = []
            for try await (actor, action, subject) in rows.decode((String, String, String).self) {
                audit.append("\(actor) \(action) \(subject)")
            }
            #expect(
                audit == [
                    "ana scenario.deploy greeter@1", "ana scenario.deploy greeter@2", "ana scenario.paused greeter",
                    "ana scenario.active greeter",
                ])
        }
    }
}

import Foundation
import NudgePostgres
import NudgeTestSupport
import PostgresNIO
import Testing

@Suite("Migrations on a real PostgreSQL", .timeLimit(.minutes(2)))
struct MigratorTests {
    static let migrations = [
        Migration(
            version: 1, name: "customers",
            sql: """
                -- a comment; with a semicolon
                CREATE TABLE customers (id text PRIMARY KEY, note text DEFAULT 'a;b');
                CREATE INDEX customers_note ON customers (note);
                """),
        Migration(
            version: 2, name: "touch_function",
            sql: """
                CREATE FUNCTION touch() RETURNS integer AS $$
                BEGIN
                    RETURN 1; -- semicolons inside a dollar-quoted body stay in one statement
                END;
                $$ LANGUAGE plpgsql;
                INSERT INTO customers (id) VALUES ('c1');
                """),
    ]

    @Test func appliesOnceAndIsIdempotentOnRerun() async throws {
        try await TestPostgres.withFreshDatabase { client, _ in
            let migrator = Migrator(client: client, logger: TestPostgres.logger)
            let first = try await migrator.apply(Self.migrations)
            #expect(first.applied == [1, 2])
            #expect(first.alreadyApplied == [])

            let second = try await migrator.apply(Self.migrations)
            #expect(second.applied == [])
            #expect(second.alreadyApplied == [1, 2])

            // The INSERT of migration 2 ran exactly once.
            let rows = try await client.query("SELECT count(*)::int FROM customers", logger: TestPostgres.logger)
            var count = -1
            for try await value in rows.decode(Int.self) { count = value }
            #expect(count == 1)
            let applied = try await migrator.appliedVersions()
            #expect(applied.keys.sorted() == [1, 2])
        }
    }

    @Test func newMigrationIsAppliedAfterOldOnes() async throws {
        try await TestPostgres.withFreshDatabase { client, _ in
            let migrator = Migrator(client: client, logger: TestPostgres.logger)
            _ = try await migrator.apply(Array(Self.migrations.prefix(1)))
            let report = try await migrator.apply(Self.migrations)
            #expect(report.applied == [2])
            #expect(report.alreadyApplied == [1])
        }
    }

    @Test func editedAppliedMigrationIsRejected() async throws {
        try await TestPostgres.withFreshDatabase { client, _ in
            let migrator = Migrator(client: client, logger: TestPostgres.logger)
            _ = try await migrator.apply(Self.migrations)
            let edited = [Migration(version: 1, name: "customers", sql: "CREATE TABLE other (id int);")]
            await #expect {
                try await migrator.apply(edited)
            } throws: { error in
                (error as? MigrationError)?.code == .checksumMismatch
            }
        }
    }

    @Test func failingMigrationRollsBackAndIsNotRecorded() async throws {
        try await TestPostgres.withFreshDatabase { client, _ in
            let migrator = Migrator(client: client, logger: TestPostgres.logger)
            let broken = [
                Migration(version: 1, name: "half", sql: "CREATE TABLE half (id int); SELECT * FROM missing_table;")
            ]
            await #expect {
                try await migrator.apply(broken)
            } throws: { error in
                guard let error = error as? MigrationError else { return false }
                return error.code == .failed && error.message.contains("missing_table")
            }
            #expect(try await migrator.appliedVersions().isEmpty)
            // The first statement was rolled back with the second.
            let rows = try await client.query("SELECT to_regclass('half')::text", logger: TestPostgres.logger)
            for try await name in rows.decode(String?.self) { #expect(name == nil) }
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        try await TestPostgres.withFreshDatabase { client, _ in
            let reports = try await withThrowingTaskGroup(of: Migrator.Report.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await Migrator(client: client, logger: TestPostgres.logger).apply(Self.migrations)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let appliedCounts = reports.flatMap(\.applied).reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
            #expect(appliedCounts == [1: 1, 2: 1])
        }
    }

    @Test func loadsNumberedFilesInOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "SELECT 2;".write(to: dir.appendingPathComponent("0002_second.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: dir.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        try "notes".write(to: dir.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let loaded = try MigrationSource.load(directory: dir)
        #expect(loaded.map(\.version) == [1, 2])
        #expect(loaded.map(\.name) == ["first", "second"])

        try "SELECT 3;".write(to: dir.appendingPathComponent("three.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.self) { try MigrationSource.load(directory: dir) }
    }
}

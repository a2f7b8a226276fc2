import NudgePostgres
import NudgeTestSupport
import PostgresNIO

@testable import NudgeApp

/// A fresh database with Nudge's own migrations, dropped afterwards.
enum TestDatabase {
    static var logger: Logger { TestPostgres.logger }

    static func withMigratedDatabase<T: Sendable>(
        _ body: @Sendable (PostgresClient, PostgresConfig) async throws -> T
    ) async throws -> T {
        try await TestPostgres.withFreshDatabase(migrations: try BundledMigrations.load(), body)
    }
}

import Foundation
import Logging
import NudgePostgres
import PostgresNIO

/// Throwaway databases on the local PostgreSQL of `scripts/stack.sh`, for integration tests:
/// each test gets its own, dropped afterwards. Connection settings come from the same
/// NUDGE_POSTGRES_* variables the app reads. Used by test targets only.
public enum TestPostgres {
    public static var baseConfig: PostgresConfig {
        let env = ProcessInfo.processInfo.environment
        return PostgresConfig(
            host: env["NUDGE_POSTGRES_HOST"] ?? "127.0.0.1",
            port: env["NUDGE_POSTGRES_PORT"].flatMap(Int.init) ?? 15432,
            username: env["NUDGE_POSTGRES_USER"] ?? "nudge",
            password: env["NUDGE_POSTGRES_PASSWORD"] ?? "nudge",
            database: env["NUDGE_POSTGRES_DATABASE"] ?? "nudge"
        )
    }

    public static let logger: Logger = {
        var logger = Logger(label: "nudge.tests.postgres")
        logger.logLevel = .warning
        return logger
    }()

    /// Creates an empty database and returns its configuration; drop it with `drop(_:)`.
    public static func createDatabase() async throws -> PostgresConfig {
        let name = "nudge_test_\(UUID().uuidString.prefix(8).lowercased())"
        try await withClient(baseConfig) { admin in
            _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var config = baseConfig
        config.database = name
        return config
    }

    public static func drop(_ config: PostgresConfig) async {
        let name = config.database
        try? await withClient(baseConfig) { admin in
            _ = try await admin.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// Runs `body` with a client on a fresh database (with `migrations` applied), then drops it.
    public static func withFreshDatabase<T: Sendable>(
        migrations: [Migration] = [],
        _ body: @Sendable (PostgresClient, PostgresConfig) async throws -> T
    ) async throws -> T {
        let config = try await createDatabase()
        do {
            let result = try await withClient(config) { client in
                if !migrations.isEmpty { _ = try await Migrator(client: client, logger: logger).apply(migrations) }
                return try await body(client, config)
            }
            await drop(config)
            return result
        } catch {
            await drop(config)
            throw error
        }
    }

    /// A client that runs for the duration of `body`.
    public static func withClient<T: Sendable>(
        _ config: PostgresConfig, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(config: config, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

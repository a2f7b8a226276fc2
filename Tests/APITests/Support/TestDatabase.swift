import Foundation
import Logging
import NudgeApp
import NudgePostgres
import PostgresNIO

/// A fresh, migrated database on the local PostgreSQL of scripts/stack.sh, dropped afterwards.
enum TestDatabase {
    static var baseConfig: PostgresConfig {
        let env = ProcessInfo.processInfo.environment
        return PostgresConfig(
            host: env["NUDGE_POSTGRES_HOST"] ?? "127.0.0.1",
            port: env["NUDGE_POSTGRES_PORT"].flatMap(Int.init) ?? 15432,
            username: env["NUDGE_POSTGRES_USER"] ?? "nudge",
            password: env["NUDGE_POSTGRES_PASSWORD"] ?? "nudge",
            database: env["NUDGE_POSTGRES_DATABASE"] ?? "nudge"
        )
    }

    static let logger: Logger = {
        var logger = Logger(label: "nudge.tests.api.postgres")
        logger.logLevel = .warning
        return logger
    }()

    static func withMigratedDatabase<T: Sendable>(
        _ body: @Sendable (PostgresClient, PostgresConfig) async throws -> T
    ) async throws -> T {
        let name = "nudge_api_test_\(UUID().uuidString.prefix(8).lowercased())"
        try await withClient(baseConfig) { admin in
            _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var fresh = baseConfig
        fresh.database = name
        let config = fresh
        do {
            var app = NudgeConfig()
            app.postgres = config
            _ = try await NudgeApplication.migrate(config: app, logger: logger)
            let result = try await withClient(config) { try await body($0, config) }
            try await drop(name)
            return result
        } catch {
            try? await drop(name)
            throw error
        }
    }

    static func withClient<T: Sendable>(
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

    private static func drop(_ name: String) async throws {
        try await withClient(baseConfig) { admin in
            _ = try await admin.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }
}

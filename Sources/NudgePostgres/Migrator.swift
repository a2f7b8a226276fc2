import Logging
import PostgresNIO

/// Applies ordered SQL migrations exactly once and records each in `nudge_schema_migrations`.
///
/// Several processes may start at once: a transaction-scoped advisory lock serializes them, so
/// each migration runs once, and its statements and its record commit together.
public struct Migrator: Sendable {
    public struct Report: Sendable, Equatable {
        public var applied: [Int]
        public var alreadyApplied: [Int]
    }

    /// Arbitrary constant identifying Nudge's migration lock among other advisory locks.
    static let advisoryLockKey: Int64 = 0x6e75_6467_65_6d67

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func apply(_ migrations: [Migration]) async throws -> Report {
        try MigrationSource.validateOrder(migrations)
        var report = Report(applied: [], alreadyApplied: [])
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            if try await applyIfNeeded(migration) {
                report.applied.append(migration.version)
            } else {
                report.alreadyApplied.append(migration.version)
            }
        }
        logger.info(
            "migrations checked",
            metadata: ["postgres.migrations.applied": "\(report.applied)", "postgres.migrations.total": "\(migrations.count)"]
        )
        return report
    }

    /// Versions recorded as applied, with their checksums.
    public func appliedVersions() async throws -> [Int: String] {
        try await withMigrationLock { connection in try await Self.createHistoryTable(connection, logger) }
        var result: [Int: String] = [:]
        let rows = try await client.query("SELECT version, checksum FROM nudge_schema_migrations", logger: logger)
        for try await (version, checksum) in rows.decode((Int, String).self) {
            result[version] = checksum
        }
        return result
    }

    /// Runs `body` in a transaction holding the migration lock: concurrent starters wait their turn,
    /// and everything the body does commits or rolls back as one.
    private func withMigrationLock<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        do {
            return try await client.withTransaction(logger: logger) { connection -> T in
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.advisoryLockKey))", logger: logger)
                return try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            if let migrationError = error.closureError as? MigrationError { throw migrationError }
            let cause = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError
            throw MigrationError(.failed, Self.describe(cause))
        }
    }

    private static func describe(_ error: (any Error)?) -> String {
        guard let error else { return "unknown error" }
        if let psql = error as? PSQLError, let message = psql.serverInfo?[.message] { return message }
        return String(reflecting: error)
    }

    private static func createHistoryTable(_ connection: PostgresConnection, _ logger: Logger) async throws {
        _ = try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS nudge_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
    }

    /// Returns true when the migration ran now, false when it had already been applied.
    private func applyIfNeeded(_ migration: Migration) async throws -> Bool {
        let logger = self.logger
        return try await withMigrationLock { connection -> Bool in
            try await Self.createHistoryTable(connection, logger)
            let rows = try await connection.query(
                "SELECT checksum FROM nudge_schema_migrations WHERE version = \(migration.version)", logger: logger)
            for try await checksum in rows.decode(String.self) {
                guard checksum == migration.checksum else {
                    throw MigrationError(
                        .checksumMismatch,
                        "\(migration.version)_\(migration.name) changed after it was applied "
                            + "(recorded \(checksum), file \(migration.checksum)); add a new migration instead")
                }
                return false
            }
            for statement in SQLStatementSplitter.split(migration.sql) {
                do {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                } catch {
                    throw MigrationError(.failed, "\(migration.version)_\(migration.name): \(Self.describe(error))")
                }
            }
            _ = try await connection.query(
                """
                INSERT INTO nudge_schema_migrations (version, name, checksum)
                VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                """,
                logger: logger
            )
            logger.info("migration applied", metadata: ["postgres.migration": "\(migration.version)_\(migration.name)"])
            return true
        }
    }
}

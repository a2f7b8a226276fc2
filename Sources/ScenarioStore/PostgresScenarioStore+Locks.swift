import Foundation
import Logging
import PostgresNIO

/// Edit locks. Each change runs under the scenario's advisory lock (the one deploys take), so a
/// deploy's lock check and a lock change never interleave. Taking and releasing are audited;
/// they do not touch the catalog revision (engines do not care).
extension PostgresScenarioStore {
    /// Takes the lock for `holder` for `ttl`, or renews it when `holder` has it already.
    public func lock(_ id: String, holder: String, ttl: Duration) async throws -> LockOutcome {
        let seconds = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
        let logger = self.logger
        return try await withTransaction { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(id)))", logger: logger)
            let current = try await Self.activeLock(id, connection, logger, forUpdate: true)
            if let current, current.holder != holder { return .heldByOther(current) }
            let rows = try await connection.query(
                """
                INSERT INTO scenario_locks (scenario_id, holder, acquired_at, expires_at)
                VALUES (\(id), \(holder), now(), now() + make_interval(secs => \(seconds)))
                ON CONFLICT (scenario_id) DO UPDATE SET
                    holder = EXCLUDED.holder,
                    acquired_at = CASE
                        WHEN scenario_locks.holder = EXCLUDED.holder AND scenario_locks.expires_at > now()
                        THEN scenario_locks.acquired_at ELSE EXCLUDED.acquired_at END,
                    expires_at = EXCLUDED.expires_at
                RETURNING scenario_id, holder, acquired_at, expires_at
                """, logger: logger)
            for try await row in rows.decode((String, String, Date, Date).self) {
                try await Self.audit(
                    connection, actor: holder, action: current == nil ? "scenario.lock" : "scenario.lock.renew",
                    subject: id, logger)
                return .acquired(ScenarioLock(scenarioId: row.0, holder: row.1, acquiredAt: row.2, expiresAt: row.3))
            }
            throw ScenarioStoreError(.notFound, "taking the lock of \(id) returned no row")
        }
    }

    /// Releases the lock. `force` breaks someone else's lock (an admin clearing an abandoned one).
    public func unlock(_ id: String, holder: String, force: Bool = false) async throws -> UnlockOutcome {
        let logger = self.logger
        return try await withTransaction { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(id)))", logger: logger)
            guard let current = try await Self.activeLock(id, connection, logger, forUpdate: true) else {
                _ = try await connection.query("DELETE FROM scenario_locks WHERE scenario_id = \(id)", logger: logger)
                return .notLocked
            }
            guard current.holder == holder || force else { return .heldByOther(current) }
            _ = try await connection.query("DELETE FROM scenario_locks WHERE scenario_id = \(id)", logger: logger)
            try await Self.audit(
                connection, actor: holder, action: "scenario.unlock", subject: id,
                detail: current.holder == holder ? [:] : ["broken_lock_of": current.holder], logger)
            return .released
        }
    }

    /// The lock in force on `id`, if any.
    public func currentLock(_ id: String) async throws -> ScenarioLock? {
        try await client.withConnection { connection in
            try await Self.activeLock(id, connection, logger, forUpdate: false)
        }
    }

    /// Every lock in force, by scenario id.
    public func currentLocks() async throws -> [String: ScenarioLock] {
        let rows = try await client.query(
            "SELECT scenario_id, holder, acquired_at, expires_at FROM scenario_locks WHERE expires_at > now()",
            logger: logger)
        var locks: [String: ScenarioLock] = [:]
        for try await row in rows.decode((String, String, Date, Date).self) {
            locks[row.0] = ScenarioLock(scenarioId: row.0, holder: row.1, acquiredAt: row.2, expiresAt: row.3)
        }
        return locks
    }

    static func activeLock(
        _ id: String, _ connection: PostgresConnection, _ logger: Logger, forUpdate: Bool
    ) async throws -> ScenarioLock? {
        let query: PostgresQuery =
            forUpdate
            ? """
            SELECT scenario_id, holder, acquired_at, expires_at FROM scenario_locks
            WHERE scenario_id = \(id) AND expires_at > now() FOR UPDATE
            """
            : """
            SELECT scenario_id, holder, acquired_at, expires_at FROM scenario_locks
            WHERE scenario_id = \(id) AND expires_at > now()
            """
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows.decode((String, String, Date, Date).self) {
            return ScenarioLock(scenarioId: row.0, holder: row.1, acquiredAt: row.2, expiresAt: row.3)
        }
        return nil
    }
}

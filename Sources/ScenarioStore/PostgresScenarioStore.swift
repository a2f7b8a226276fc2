import EngineCore
import Crypto
import Foundation
import Logging
import NudgePostgres
import PostgresNIO

/// Scenario versions in PostgreSQL. A deploy stores a new version (never rewrites one: running
/// instances keep theirs) and makes it the one new customers enter; pause, resume and archive
/// change the scenario as a whole. Every change bumps the catalog revision in the same
/// transaction, which running engines poll to reload.
public struct PostgresScenarioStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Validates and deploys one scenario file. `file` names it in error messages.
    /// - `baseVersion`: the version the deployer started from; when the scenario has moved on
    ///   since (someone else deployed), the deploy is refused (`staleBase`). 0 means "new scenario".
    /// - `enforcingLock`: refuse (`locked`) while another actor holds the scenario's edit lock.
    ///   The API enforces locks; `nudge deploy` and the rules folder seed are operator paths.
    public func deploy(
        yaml: String, file: String, by actor: String, baseVersion: Int? = nil, enforcingLock: Bool = false
    ) async throws -> DeployOutcome {
        let scenario: Scenario
        switch ScenarioLoader.load(yaml: yaml, file: file) {
        case .success(let loaded): scenario = loaded
        case .failure(let errors):
            throw ScenarioStoreError(.invalid, "\(file) is not a valid scenario", ruleErrors: errors.errors)
        }
        guard scenario.status != .draft else {
            throw ScenarioStoreError(.draft, "\(file): \(scenario.id) is a draft; set status: active to deploy it")
        }
        let checksum = SHA256.hash(data: Data(yaml.utf8)).map { String(format: "%02x", $0) }.joined()
        let (id, version, status) = (scenario.id, scenario.version, scenario.status.rawValue)
        let logger = self.logger
        return try await withTransaction { connection in
            // Serializes deploys of one scenario id.
            _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(id)))", logger: logger)
            if enforcingLock, let lock = try await Self.activeLock(id, connection, logger, forUpdate: true),
                lock.holder != actor
            {
                throw ScenarioStoreError(
                    .locked, "\(id) is being edited by \(lock.holder) until \(lock.expiresAt)", lock: lock)
            }
            let existing = try await connection.query(
                "SELECT version, checksum FROM scenario_versions WHERE scenario_id = \(id) ORDER BY version DESC",
                logger: logger)
            var highest = 0
            for try await (existingVersion, existingChecksum) in existing.decode((Int, String).self) {
                highest = max(highest, existingVersion)
                if existingVersion == version {
                    guard existingChecksum == checksum else {
                        throw ScenarioStoreError(
                            .versionConflict,
                            "\(file): \(id) version \(version) is already deployed with other content; "
                                + "deploy it as version \(highest + 1)")
                    }
                    return .unchanged(id: id, version: version)
                }
            }
            if let baseVersion, baseVersion != highest {
                throw ScenarioStoreError(
                    .staleBase,
                    "\(file): based on version \(baseVersion) of \(id), but it is at version \(highest) now; "
                        + "start again from version \(highest)")
            }
            guard version > highest else {
                throw ScenarioStoreError(
                    .versionTooLow, "\(file): \(id) is at version \(highest); a deploy needs a higher version")
            }
            _ = try await connection.query(
                """
                INSERT INTO scenario_versions (scenario_id, version, source_yaml, checksum, deployed_by)
                VALUES (\(id), \(version), \(yaml), \(checksum), \(actor))
                """, logger: logger)
            _ = try await connection.query(
                """
                INSERT INTO scenarios (scenario_id, active_version, status) VALUES (\(id), \(version), \(status))
                ON CONFLICT (scenario_id) DO UPDATE
                SET active_version = EXCLUDED.active_version, status = EXCLUDED.status, updated_at = now()
                """, logger: logger)
            try await Self.audit(connection, actor: actor, action: "scenario.deploy", subject: "\(id)@\(version)", logger)
            try await Self.bumpRevision(connection, logger)
            return .deployed(id: id, version: version)
        }
    }

    /// Pause (no new entries), resume, or archive a scenario; running instances go on either way.
    public func setStatus(_ status: Scenario.Status, of id: String, by actor: String) async throws {
        guard status != .draft else { throw ScenarioStoreError(.draft, "a deployed scenario cannot become a draft") }
        let logger = self.logger
        try await withTransaction { connection in
            let rows = try await connection.query(
                "UPDATE scenarios SET status = \(status.rawValue), updated_at = now() WHERE scenario_id = \(id) RETURNING 1",
                logger: logger)
            var found = false
            for try await _ in rows { found = true }
            guard found else { throw ScenarioStoreError(.notFound, "no deployed scenario \(id)") }
            try await Self.audit(connection, actor: actor, action: "scenario.\(status.rawValue)", subject: id, logger)
            try await Self.bumpRevision(connection, logger)
        }
    }

    public func list() async throws -> [DeployedScenario] {
        let rows = try await client.query(
            """
            SELECT s.scenario_id, s.active_version, s.status, s.updated_at,
                   array_agg(v.version ORDER BY v.version)
            FROM scenarios s JOIN scenario_versions v USING (scenario_id)
            GROUP BY s.scenario_id, s.active_version, s.status, s.updated_at
            ORDER BY s.scenario_id
            """, logger: logger)
        var result: [DeployedScenario] = []
        for try await (id, active, status, updated, versions) in rows.decode((String, Int, String, Date, [Int]).self) {
            result.append(
                DeployedScenario(
                    id: id, activeVersion: active, status: Scenario.Status(rawValue: status) ?? .paused,
                    versions: versions, updatedAt: updated))
        }
        return result
    }

    /// Every stored version, as the engine runs them: the active version with the scenario's
    /// status, older ones archived (running instances finish on them, nobody new enters).
    public func catalog() async throws -> (catalog: ScenarioCatalog, revision: Int64) {
        let revision = try await self.revision()
        let rows = try await client.query(
            """
            SELECT v.scenario_id, v.version, v.source_yaml, s.active_version, s.status
            FROM scenario_versions v JOIN scenarios s USING (scenario_id)
            ORDER BY v.scenario_id, v.version
            """, logger: logger)
        var scenarios: [Scenario] = []
        for try await (id, version, yaml, active, status) in rows.decode((String, Int, String, Int, String).self) {
            switch ScenarioLoader.load(yaml: yaml, file: "\(id)@\(version)") {
            case .success(let scenario):
                let effective: Scenario.Status =
                    version == active ? (Scenario.Status(rawValue: status) ?? .paused) : .archived
                scenarios.append(scenario.with(status: effective))
            case .failure(let errors):
                // Stored versions were valid when deployed; a language change that breaks one must
                // not stop the engine: log it and run without that version.
                logger.error(
                    "stored scenario no longer loads",
                    metadata: ["scenario.id": "\(id)", "scenario.version": "\(version)", "error": "\(errors)"])
            }
        }
        return (try ScenarioCatalog(scenarios), revision)
    }

    /// Moves with every change; cheap to poll.
    public func revision() async throws -> Int64 {
        let rows = try await client.query("SELECT revision FROM scenario_catalog_revision WHERE id = 1", logger: logger)
        for try await revision in rows.decode(Int64.self) { return revision }
        return 0
    }

    func withTransaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        do {
            return try await client.withTransaction(logger: logger) { connection -> T in
                try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    static func bumpRevision(_ connection: PostgresConnection, _ logger: Logger) async throws {
        _ = try await connection.query(
            "UPDATE scenario_catalog_revision SET revision = revision + 1 WHERE id = 1", logger: logger)
    }

    static func audit(
        _ connection: PostgresConnection, actor: String, action: String, subject: String,
        detail: [String: String] = [:], _ logger: Logger
    ) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(detail), as: UTF8.self)
        _ = try await connection.query(
            """
            INSERT INTO audit_log (actor, action, subject, detail) VALUES (\(actor), \(action), \(subject), \(json)::jsonb)
            """, logger: logger)
    }
}

import EngineCore
import Foundation
import PostgresNIO

/// One stored version of a scenario, without its source.
public struct StoredScenarioVersion: Sendable, Equatable {
    public var version: Int
    /// SHA-256 (hex) of the YAML as deployed.
    public var checksum: String
    public var deployedAt: Date
    public var deployedBy: String
}

/// Reads for the admin API: one scenario, its versions, a version's YAML.
extension PostgresScenarioStore {
    /// One deployed scenario, or nil when it was never deployed.
    public func scenario(_ id: String) async throws -> DeployedScenario? {
        let rows = try await client.query(
            """
            SELECT s.scenario_id, s.active_version, s.status, s.updated_at,
                   array_agg(v.version ORDER BY v.version)
            FROM scenarios s JOIN scenario_versions v USING (scenario_id)
            WHERE s.scenario_id = \(id)
            GROUP BY s.scenario_id, s.active_version, s.status, s.updated_at
            """, logger: logger)
        for try await (id, active, status, updated, versions) in rows.decode((String, Int, String, Date, [Int]).self) {
            return DeployedScenario(
                id: id, activeVersion: active, status: Scenario.Status(rawValue: status) ?? .paused,
                versions: versions, updatedAt: updated)
        }
        return nil
    }

    /// Every stored version of `id`, oldest first; empty when it was never deployed.
    public func versions(of id: String) async throws -> [StoredScenarioVersion] {
        let rows = try await client.query(
            """
            SELECT version, checksum, deployed_at, deployed_by FROM scenario_versions
            WHERE scenario_id = \(id) ORDER BY version
            """, logger: logger)
        var versions: [StoredScenarioVersion] = []
        for try await (version, checksum, at, by) in rows.decode((Int, String, Date, String).self) {
            versions.append(StoredScenarioVersion(version: version, checksum: checksum, deployedAt: at, deployedBy: by))
        }
        return versions
    }

    /// The YAML of one version as it was deployed, or nil when there is no such version.
    public func source(of id: String, version: Int) async throws -> String? {
        let rows = try await client.query(
            "SELECT source_yaml FROM scenario_versions WHERE scenario_id = \(id) AND version = \(version)",
            logger: logger)
        for try await yaml in rows.decode(String.self) { return yaml }
        return nil
    }
}

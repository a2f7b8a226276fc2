import EngineCore
import ScenarioStore

/// What the admin API and the console both do to scenarios, with the same checks and the same
/// problems: validating YAML, deploying a version, changing a status. The store audits each
/// change with `actor` (the API key's name).
struct ScenarioActions: Sendable {
    let store: PostgresScenarioStore

    struct Validation: Sendable {
        /// The scenario, when the YAML is valid.
        var scenario: Scenario?
        var errors: [ProblemDetails.ScenarioError]
        /// The highest version deployed so far of the scenario (valid YAML only).
        var latestDeployedVersion: Int?
    }

    func validate(_ yaml: String) async throws -> Validation {
        switch ScenarioLoader.load(yaml: yaml, file: "body") {
        case .success(let scenario):
            let latest = try await store.scenario(scenario.id)?.versions.max()
            return Validation(scenario: scenario, errors: [], latestDeployedVersion: latest)
        case .failure(let errors):
            return Validation(scenario: nil, errors: errors.errors.map(ProblemDetails.ScenarioError.init))
        }
    }

    /// Deploys `yaml` as a new version of scenario `id`, refused (as a problem) when the body is
    /// another scenario, invalid, a version conflict, based on a stale version, or locked by
    /// someone other than `actor`.
    func deploy(id: String, yaml: String, baseVersion: Int?, actor: String) async throws -> DeployOutcome {
        if case .success(let scenario) = ScenarioLoader.load(yaml: yaml, file: "body"), scenario.id != id {
            throw ProblemDetails(kind: .invalidRequest, detail: "the body is scenario \(scenario.id), not \(id)")
        }
        do {
            return try await store.deploy(
                yaml: yaml, file: "body", by: actor, baseVersion: baseVersion, enforcingLock: true)
        } catch let error as ScenarioStoreError {
            throw ProblemDetails(error)
        }
    }

    /// Pauses, resumes or archives scenario `id`; the scenario as it is afterwards.
    func setStatus(_ status: Scenario.Status, of id: String, actor: String) async throws -> DeployedScenario {
        do {
            try await store.setStatus(status, of: id, by: actor)
        } catch let error as ScenarioStoreError {
            throw ProblemDetails(error)
        }
        guard let scenario = try await store.scenario(id) else {
            throw ProblemDetails(kind: .notFound, detail: "no deployed scenario \(id)")
        }
        return scenario
    }
}

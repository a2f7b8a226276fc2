import EngineCore
import Foundation
import Hummingbird
import ScenarioStore

/// Changing scenarios. Bodies are scenario YAML (at most `api.max_scenario_bytes`, 413 beyond).
/// - `POST /v1/admin/scenarios/validate` (editor): every error with line and column, nothing stored;
/// - `POST /v1/admin/scenarios/{id}/versions?base_version=N` (publisher): deploys a new version.
///   Refused with 409 when the version exists with other content or is not above the latest, or
///   when `base_version` is not the latest any more (someone deployed meanwhile); with 423 while
///   another editor holds the scenario's lock. Running engines pick it up without a restart.
/// - `POST /v1/admin/scenarios/{id}/pause|resume|archive` (publisher).
/// The store audits every change with the API key's name as the actor.
struct ScenarioChangeRoutes<Context: APIRequestContext>: Sendable {
    let store: PostgresScenarioStore
    let maxScenarioBytes: Int

    struct ValidationView: Encodable {
        var valid: Bool
        var id: String?
        var version: Int?
        var status: String?
        /// The highest version deployed so far, so an editor sees whether theirs is new.
        var latestDeployedVersion: Int?
        var errors: [ProblemDetails.ScenarioError]

        enum CodingKeys: String, CodingKey {
            case valid, id, version, status, errors
            case latestDeployedVersion = "latest_deployed_version"
        }
    }

    struct DeployView: Encodable {
        var scenario: String
        var version: Int
        /// `deployed` or `unchanged` (the same version with the same content was there).
        var outcome: String
    }

    var actions: ScenarioActions { ScenarioActions(store: store) }

    func add(to group: RouterGroup<Context>) {
        group.post("scenarios/validate") { request, context in
            _ = try context.requireRole(.editor)
            let yaml = try await RequestBodyReader.text(request, limit: maxScenarioBytes)
            let validation = try await actions.validate(yaml)
            guard let scenario = validation.scenario else {
                return JSONResponse.encode(ValidationView(valid: false, errors: validation.errors))
            }
            return JSONResponse.encode(
                ValidationView(
                    valid: true, id: scenario.id, version: scenario.version, status: scenario.status.rawValue,
                    latestDeployedVersion: validation.latestDeployedVersion, errors: []))
        }
        group.post("scenarios/{id}/versions") { request, context in
            let actor = try context.requireRole(.publisher)
            let id = try AdminPath.scenarioId(context)
            let baseVersion = try Self.baseVersion(request)
            let yaml = try await RequestBodyReader.text(request, limit: maxScenarioBytes)
            let outcome = try await actions.deploy(id: id, yaml: yaml, baseVersion: baseVersion, actor: actor.name)
            switch outcome {
            case .deployed(let id, let version):
                context.logger.info(
                    "scenario deployed",
                    metadata: [APILogKeys.scenarioId: "\(id)", APILogKeys.scenarioVersion: "\(version)"])
                var response = JSONResponse.encode(
                    DeployView(scenario: id, version: version, outcome: "deployed"), status: .created)
                response.headers[.location] = "/v1/admin/scenarios/\(id)/versions/\(version)"
                return response
            case .unchanged(let id, let version):
                return JSONResponse.encode(DeployView(scenario: id, version: version, outcome: "unchanged"))
            }
        }
        for (action, status) in [("pause", Scenario.Status.paused), ("resume", .active), ("archive", .archived)] {
            group.post(RouterPath("scenarios/{id}/\(action)")) { _, context in
                let actor = try context.requireRole(.publisher)
                let id = try AdminPath.scenarioId(context)
                let scenario = try await actions.setStatus(status, of: id, actor: actor.name)
                return JSONResponse.encode(ScenarioSummaryView(scenario, lock: try await store.currentLock(id)))
            }
        }
    }

    /// `base_version`: the version the edit started from; 0 for a scenario that is not deployed yet.
    private static func baseVersion(_ request: Request) throws(ProblemDetails) -> Int? {
        guard let text = request.uri.queryParameters.get("base_version") else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw ProblemDetails(kind: .invalidRequest, detail: "base_version must be a non-negative integer")
        }
        return value
    }
}

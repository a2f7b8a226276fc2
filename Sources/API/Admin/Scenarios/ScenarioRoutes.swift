import EngineCore
import Hummingbird
import NIOCore
import ScenarioStore

/// Reading deployed scenarios (viewer role):
/// - `GET /v1/admin/scenarios`: every scenario with its active version, status and lock;
/// - `GET /v1/admin/scenarios/{id}`: one, with what its active version declares (name, steps);
/// - `GET /v1/admin/scenarios/{id}/versions`: every stored version, who deployed it and when;
/// - `GET /v1/admin/scenarios/{id}/versions/{version}`: a version's YAML as deployed.
struct ScenarioRoutes<Context: APIRequestContext>: Sendable {
    let store: PostgresScenarioStore

    func add(to group: RouterGroup<Context>) {
        group.get("scenarios") { _, context in
            _ = try context.requireRole(.viewer)
            let locks = try await store.currentLocks()
            let views = try await store.list().map { ScenarioSummaryView($0, lock: locks[$0.id]) }
            return JSONResponse.encode(["scenarios": views])
        }
        group.get("scenarios/{id}") { _, context in
            _ = try context.requireRole(.viewer)
            let id = try AdminPath.scenarioId(context)
            let scenario = try await deployed(id)
            let yaml = try await store.source(of: id, version: scenario.activeVersion)
            let active = yaml.flatMap {
                try? ScenarioLoader.load(yaml: $0, file: "\(id)@\(scenario.activeVersion)").get()
            }
            return JSONResponse.encode(
                ScenarioDetailView(scenario, lock: try await store.currentLock(id), active: active))
        }
        group.get("scenarios/{id}/versions") { _, context in
            _ = try context.requireRole(.viewer)
            let id = try AdminPath.scenarioId(context)
            let scenario = try await deployed(id)
            let versions = try await store.versions(of: id).map {
                VersionView($0, activeVersion: scenario.activeVersion)
            }
            return JSONResponse.encode(["versions": versions])
        }
        group.get("scenarios/{id}/versions/{version}") { _, context in
            _ = try context.requireRole(.viewer)
            let id = try AdminPath.scenarioId(context)
            guard let version = context.parameters.get("version", as: Int.self), version > 0 else {
                throw ProblemDetails(kind: .invalidRequest, detail: "version must be a positive integer")
            }
            guard let yaml = try await store.source(of: id, version: version) else {
                throw ProblemDetails(kind: .notFound, detail: "no version \(version) of scenario \(id)")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: yaml)))
        }
    }

    private func deployed(_ id: String) async throws -> DeployedScenario {
        guard let scenario = try await store.scenario(id) else {
            throw ProblemDetails(kind: .notFound, detail: "no deployed scenario \(id)")
        }
        return scenario
    }
}

import Hummingbird
import ScenarioStore

/// The edit lock of a scenario (editor role), so two editors do not overwrite each other:
/// - `POST /v1/admin/scenarios/{id}/lock`: takes the lock for `api.scenario_lock_ttl`, or renews
///   it when the caller holds it; 423 while someone else does. While it holds, deploys through
///   the API by anyone else are refused with 423.
/// - `DELETE /v1/admin/scenarios/{id}/lock`: releases it (204, also when there was none); 423
///   when someone else holds it, unless the caller is an admin (breaking an abandoned lock).
/// Locks are named after the API key, like audit entries.
struct ScenarioLockRoutes<Context: APIRequestContext>: Sendable {
    let store: PostgresScenarioStore
    let ttl: Duration

    func add(to group: RouterGroup<Context>) {
        group.post("scenarios/{id}/lock") { _, context in
            let actor = try context.requireRole(.editor)
            let id = try AdminPath.scenarioId(context)
            switch try await store.lock(id, holder: actor.name, ttl: ttl) {
            case .acquired(let lock): return JSONResponse.encode(LockView(lock))
            case .heldByOther(let lock): throw Self.locked(lock)
            }
        }
        group.delete("scenarios/{id}/lock") { _, context in
            let actor = try context.requireRole(.editor)
            let id = try AdminPath.scenarioId(context)
            switch try await store.unlock(id, holder: actor.name, force: actor.role >= .admin) {
            case .released, .notLocked: return Response(status: .noContent)
            case .heldByOther(let lock): throw Self.locked(lock)
            }
        }
    }

    static func locked(_ lock: ScenarioLock) -> ProblemDetails {
        ProblemDetails(
            kind: .locked, detail: "\(lock.scenarioId) is being edited by \(lock.holder) until \(lock.expiresAt)",
            lock: ProblemDetails.LockHolder(holder: lock.holder, expiresAt: lock.expiresAt))
    }
}

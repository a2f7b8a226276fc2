import EngineCore
import Foundation
import Hummingbird
import NIOCore
import ScenarioStore

/// Changing scenarios in the console, each a form (CSRF token, same origin) that ends on a page:
/// - `GET /console/scenarios/{id}/edit` (editor): the latest version's YAML in the editor;
/// - `POST /console/scenarios/{id}/validate` (editor): the editor again, with every error at
///   line:column and the changes against the active version;
/// - `POST /console/scenarios/validate` (editor, the page script as you type: YAML body, token in
///   `X-CSRF-Token`): `{valid, version, errors}` as JSON;
/// - `POST /console/scenarios/{id}/deploy` (publisher): deploys with `base_version`, or shows why
///   not (invalid, stale base, someone else's lock) with the YAML kept;
/// - `POST /console/scenarios/{id}/lock|unlock` (editor; an admin may break another's lock);
/// - `POST /console/scenarios/{id}/pause|resume|archive` (publisher).
struct ConsoleEditRoutes<Context: APIRequestContext>: Sendable {
    let console: ConsoleDependencies

    struct CheckView: Encodable {
        var valid: Bool
        var version: Int?
        var errors: [ProblemDetails.ScenarioError]
    }

    func add(to group: RouterGroup<Context>) {
        let gate = console.gate
        group.get("scenarios/{id}/edit") { request, context in
            let user = try await gate.page(request, minimum: .editor)
            let id = try ConsolePath.scenarioId(context)
            let scenario = try await deployed(id)
            let base = scenario.versions.max() ?? scenario.activeVersion
            let model = try await model(scenario, yaml: try await source(id, version: base), baseVersion: base)
            return ConsoleResponse.page(ScenarioEditPage.render(model, user: user, notice: ConsolePath.notice(request)))
        }
        group.post("scenarios/{id}/validate") { request, context in
            let form = try await ConsoleForm.read(request, limit: console.formLimit)
            let user = try await gate.form(request, form, minimum: .editor)
            let id = try ConsolePath.scenarioId(context)
            let yaml = form["yaml"] ?? ""
            var model = try await model(try await deployed(id), yaml: yaml, baseVersion: try baseVersion(form))
            let validation = try await console.actions.validate(yaml)
            model.checked = true
            model.errors = validation.errors
            model.version = validation.scenario?.version
            if let scenario = validation.scenario, scenario.id != id {
                model.refusal = "This YAML is scenario \(scenario.id), not \(id)."
            }
            return ConsoleResponse.page(
                ScenarioEditPage.render(model, user: user), status: model.errors.isEmpty ? .ok : .unprocessableContent)
        }
        group.post("scenarios/validate") { request, _ in
            _ = try await gate.script(request, minimum: .editor)
            let yaml: String
            do {
                yaml = try await RequestBodyReader.text(request, limit: console.maxScenarioBytes)
            } catch let problem as ProblemDetails {
                throw ConsoleError(problem)
            }
            let validation = try await console.actions.validate(yaml)
            return JSONResponse.encode(
                CheckView(
                    valid: validation.scenario != nil, version: validation.scenario?.version,
                    errors: validation.errors))
        }
        group.post("scenarios/{id}/deploy") { request, context in
            let form = try await ConsoleForm.read(request, limit: console.formLimit)
            let user = try await gate.form(request, form, minimum: .publisher)
            let id = try ConsolePath.scenarioId(context)
            let yaml = form["yaml"] ?? ""
            let base = try baseVersion(form)
            do {
                switch try await console.actions.deploy(id: id, yaml: yaml, baseVersion: base, actor: user.key.name) {
                case .deployed(_, let version):
                    context.logger.info(
                        "scenario deployed from the console",
                        metadata: [APILogKeys.scenarioId: "\(id)", APILogKeys.scenarioVersion: "\(version)"])
                    return ConsoleResponse.redirect("/console/scenarios/\(id)?notice=deployed&version=\(version)")
                case .unchanged(_, let version):
                    return ConsoleResponse.redirect("/console/scenarios/\(id)?notice=unchanged&version=\(version)")
                }
            } catch let problem as ProblemDetails {
                var model = try await model(try await deployed(id), yaml: yaml, baseVersion: base)
                model.refusal = "Not deployed: \(problem.detail)"
                model.errors = problem.scenarioErrors ?? []
                return ConsoleResponse.page(ScenarioEditPage.render(model, user: user), status: problem.status)
            }
        }
        group.post("scenarios/{id}/lock") { request, context in
            let form = try await ConsoleForm.read(request, limit: 4096)
            let user = try await gate.form(request, form, minimum: .editor)
            let id = try ConsolePath.scenarioId(context)
            let scenario = try await deployed(id)
            switch try await console.store.lock(id, holder: user.key.name, ttl: console.lockTTL) {
            case .acquired: return ConsoleResponse.redirect("/console/scenarios/\(id)/edit?notice=locked")
            case .heldByOther(let lock): return try await refusedLock(scenario, lock, user: user)
            }
        }
        group.post("scenarios/{id}/unlock") { request, context in
            let form = try await ConsoleForm.read(request, limit: 4096)
            let user = try await gate.form(request, form, minimum: .editor)
            let id = try ConsolePath.scenarioId(context)
            let scenario = try await deployed(id)
            switch try await console.store.unlock(id, holder: user.key.name, force: user.may(.admin)) {
            case .released, .notLocked: return ConsoleResponse.redirect("/console/scenarios/\(id)/edit?notice=unlocked")
            case .heldByOther(let lock): return try await refusedLock(scenario, lock, user: user)
            }
        }
        for (action, status, notice) in [
            ("pause", Scenario.Status.paused, "paused"), ("resume", .active, "resumed"),
            ("archive", .archived, "archived"),
        ] {
            group.post(RouterPath("scenarios/{id}/\(action)")) { request, context in
                let form = try await ConsoleForm.read(request, limit: 4096)
                let user = try await gate.form(request, form, minimum: .publisher)
                let id = try ConsolePath.scenarioId(context)
                do {
                    _ = try await console.actions.setStatus(status, of: id, actor: user.key.name)
                } catch let problem as ProblemDetails {
                    throw ConsoleError(problem)
                }
                return ConsoleResponse.redirect("/console/scenarios/\(id)?notice=\(notice)")
            }
        }
    }

    private func refusedLock(_ scenario: DeployedScenario, _ lock: ScenarioLock, user: ConsoleUser) async throws
        -> Response
    {
        let base = scenario.versions.max() ?? scenario.activeVersion
        var model = try await model(scenario, yaml: try await source(scenario.id, version: base), baseVersion: base)
        model.lock = lock
        model.refusal = ScenarioLockRoutes<Context>.locked(lock).detail
        return ConsoleResponse.page(
            ScenarioEditPage.render(model, user: user), status: HTTPResponse.Status(code: 423, reasonPhrase: "Locked"))
    }

    private func model(_ scenario: DeployedScenario, yaml: String, baseVersion: Int) async throws
        -> ScenarioEditPage.Model
    {
        ScenarioEditPage.Model(
            scenario: scenario, lock: try await console.store.currentLock(scenario.id), yaml: yaml,
            baseVersion: baseVersion, activeYAML: try await source(scenario.id, version: scenario.activeVersion))
    }

    private func deployed(_ id: String) async throws -> DeployedScenario {
        guard let scenario = try await console.store.scenario(id) else {
            throw ConsoleError(.notFound, "no deployed scenario \(id)")
        }
        return scenario
    }

    private func source(_ id: String, version: Int) async throws -> String {
        guard let yaml = try await console.store.source(of: id, version: version) else {
            throw ConsoleError(.notFound, "no version \(version) of scenario \(id)")
        }
        return yaml
    }

    private func baseVersion(_ form: ConsoleForm) throws(ConsoleError) -> Int {
        guard let text = form["base_version"], let value = Int(text), value >= 0 else {
            throw ConsoleError(.badRequest, "the form has no base_version; reload the editor")
        }
        return value
    }
}

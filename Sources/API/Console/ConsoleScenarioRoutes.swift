import EngineCore
import Foundation
import Hummingbird
import ScenarioStore

/// Reading scenarios in the console (viewer):
/// - `GET /console/scenarios`: the list with status, active version, lock and today's counts;
/// - `GET /console/scenarios/{id}?history_before=`: the step graph with live counts, today's
///   hours, the versions and the history of changes (a page of the audit log, older pages by
///   `history_before`);
/// - `GET /console/scenarios/{id}/counts`: the page's numbers as JSON (`ConsoleCounts`), which
///   its script polls.
/// Counts are the admin report's (`ScenarioReportReader`) from 00:00 UTC today.
struct ConsoleScenarioRoutes<Context: APIRequestContext>: Sendable {
    let console: ConsoleDependencies

    func add(to group: RouterGroup<Context>) {
        let gate = console.gate
        group.get("scenarios") { request, _ in
            let user = try await gate.page(request)
            return ConsoleResponse.page(
                ScenarioListPage.render(try await rows(), user: user, notice: ConsolePath.notice(request)))
        }
        group.get("scenarios/{id}") { request, context in
            let user = try await gate.page(request)
            let id = try ConsolePath.scenarioId(context)
            let scenario = try await deployed(id)
            let active = try await load(scenario)
            let model = ScenarioPage.Model(
                scenario: scenario, active: active, lock: try await console.store.currentLock(id),
                versions: try await console.store.versions(of: id),
                report: try await today(id, stepOrder: active?.stepOrder ?? []),
                history: try await console.history.page(
                    scenario: id, before: try historyBefore(request), limit: Self.historyPageSize))
            return ConsoleResponse.page(ScenarioPage.render(model, user: user, notice: ConsolePath.notice(request)))
        }
        group.get("scenarios/{id}/counts") { request, context in
            _ = try await gate.script(request, minimum: .viewer)
            let id = try ConsolePath.scenarioId(context)
            let scenario = try await deployed(id)
            let report = try await today(id, stepOrder: try await load(scenario)?.stepOrder ?? [])
            var response = JSONResponse.encode(ConsoleCounts(report))
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    static var historyPageSize: Int { 20 }

    private func historyBefore(_ request: Request) throws(ConsoleError) -> Int64? {
        guard let text = request.uri.queryParameters.get("history_before") else { return nil }
        guard let value = Int64(text), value > 0 else {
            throw ConsoleError(.badRequest, "history_before must be a positive integer")
        }
        return value
    }

    private func rows() async throws -> [ScenarioListPage.Row] {
        let scenarios = try await console.store.list()
        let locks = try await console.store.currentLocks()
        return try await withThrowingTaskGroup(of: (Int, ScenarioListPage.Row).self) { group in
            for (index, scenario) in scenarios.enumerated() {
                group.addTask {
                    let active = try await load(scenario)
                    let report = try await today(scenario.id, stepOrder: active?.stepOrder ?? [])
                    return (
                        index,
                        ScenarioListPage.Row(
                            scenario: scenario, name: active?.name ?? scenario.id, lock: locks[scenario.id],
                            today: ConsoleCounts(report))
                    )
                }
            }
            var rows: [(Int, ScenarioListPage.Row)] = []
            for try await row in group { rows.append(row) }
            return rows.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func deployed(_ id: String) async throws -> DeployedScenario {
        guard let scenario = try await console.store.scenario(id) else {
            throw ConsoleError(.notFound, "no deployed scenario \(id)")
        }
        return scenario
    }

    /// The active version, loaded; nil when its stored YAML does not load any more.
    private func load(_ scenario: DeployedScenario) async throws -> Scenario? {
        let yaml = try await console.store.source(of: scenario.id, version: scenario.activeVersion)
        return yaml.flatMap { try? ScenarioLoader.load(yaml: $0, file: "\(scenario.id)").get() }
    }

    private func today(_ id: String, stepOrder: [String]) async throws -> ScenarioReport {
        let now = Date()
        return try await console.reports.report(
            scenario: id, from: ConsoleFormat.startOfToday(now), to: now.addingTimeInterval(1), stepOrder: stepOrder)
    }
}

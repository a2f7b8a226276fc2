import EngineCore
import Hummingbird
import ScenarioStore

/// `GET /v1/admin/scenarios/{id}/report?from=...&to=...` (viewer): per scenario and per step,
/// entered, waiting now, completed by reason (goals, exits, ...), converted, and message outcomes
/// (sent, suppressed by reason, delivered, opened, clicked, ...), plus UTC hour buckets. The
/// range defaults to the last 7 days and may span at most 92; engine counters are kept per UTC
/// hour, so the first and last hour count whole.
struct ScenarioReportRoutes<Context: APIRequestContext>: Sendable {
    let store: PostgresScenarioStore
    let reader: ScenarioReportReader

    func add(to group: RouterGroup<Context>) {
        group.get("scenarios/{id}/report") { request, context in
            _ = try context.requireRole(.viewer)
            let id = try AdminPath.scenarioId(context)
            let range = try AdminQuery.timeRange(
                request, defaultSpan: .seconds(7 * 86_400), maxSpan: .seconds(92 * 86_400))
            guard let scenario = try await store.scenario(id) else {
                throw ProblemDetails(kind: .notFound, detail: "no deployed scenario \(id)")
            }
            let yaml = try await store.source(of: id, version: scenario.activeVersion)
            let active = yaml.flatMap { try? ScenarioLoader.load(yaml: $0, file: "\(id)").get() }
            let report = try await reader.report(
                scenario: id, from: range.from, to: range.to, stepOrder: active?.stepOrder ?? [])
            return JSONResponse.encode(report)
        }
    }
}

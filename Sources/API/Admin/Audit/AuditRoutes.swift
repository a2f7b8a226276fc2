import EngineCore
import Foundation
import Hummingbird

/// `GET /v1/admin/audit?scenario=&before=&limit=`: the audit log, newest first. One scenario's
/// history (deploys, status changes, locks) is for viewers, who see it in the console too; the
/// whole log (API keys, erases) needs the admin role. Pages follow `next_before`.
struct AuditRoutes<Context: APIRequestContext>: Sendable {
    let reader: AuditLogReader

    struct EntryView: Encodable {
        var id: Int64
        var at: Date
        var actor: String
        var action: String
        var subject: String
        var detail: Value

        init(_ entry: AuditEntry) {
            id = entry.id
            at = entry.at
            actor = entry.actor
            action = entry.action
            subject = entry.subject
            detail = Value.object(entry.detail).plainJSON
        }
    }

    struct PageView: Encodable {
        var entries: [EntryView]
        var nextBefore: Int64?

        enum CodingKeys: String, CodingKey {
            case entries
            case nextBefore = "next_before"
        }
    }

    func add(to group: RouterGroup<Context>) {
        group.get("audit") { request, context in
            let scenario = try Self.scenario(request)
            _ = try context.requireRole(scenario == nil ? .admin : .viewer)
            let before = try Self.before(request)
            let limit = try AdminQuery.limit(request, fallback: 50, maximum: 500)
            let page = try await reader.page(scenario: scenario, before: before, limit: limit)
            return JSONResponse.encode(PageView(entries: page.entries.map(EntryView.init), nextBefore: page.nextBefore))
        }
    }

    private static func scenario(_ request: Request) throws(ProblemDetails) -> String? {
        guard let id = request.uri.queryParameters.get("scenario") else { return nil }
        guard ScenarioIdentifier.isValid(id) else {
            throw ProblemDetails(
                kind: .invalidRequest, detail: "scenario is 1 to 64 lowercase letters, digits, '-' or '_'")
        }
        return id
    }

    private static func before(_ request: Request) throws(ProblemDetails) -> Int64? {
        guard let text = request.uri.queryParameters.get("before") else { return nil }
        guard let value = Int64(text), value > 0 else {
            throw ProblemDetails(kind: .invalidRequest, detail: "before must be an entry id (a positive integer)")
        }
        return value
    }
}

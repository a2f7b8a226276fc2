import NudgeRecords
import ProcessSupport
import EngineCore
import Foundation
import Hummingbird
import NudgeRedis
import SharedStores

/// What is known about one customer (viewer role):
/// - `GET /v1/admin/customers/{id}`: the profile and running scenario instances with their
///   version and current step, from the engine's state in Redis (404 when the engine never saw
///   the id);
/// - `GET /v1/admin/customers/{id}/messages?before=&limit=`: messages from the message log with
///   the statuses each went through, newest first;
/// - `GET /v1/admin/customers/{id}/timeline?from=&to=&limit=`: events and delivery feedback as
///   the timeline recorder stored them, newest first (last 30 days by default).
/// And `DELETE /v1/admin/customers/{id}` (admin role): erase the customer (`CustomerEraser`).
struct CustomerRoutes<Context: APIRequestContext>: Sendable {
    let customers: CustomerReaders

    struct TimelineEntryView: Encodable {
        var eventId: String
        var kind: String
        var name: String
        var source: String
        var anonymousId: String?
        var properties: Value
        var traits: Value
        var at: Date

        enum CodingKeys: String, CodingKey {
            case kind, name, source, properties, traits, at
            case eventId = "event_id"
            case anonymousId = "anonymous_id"
        }

        init(_ entry: CustomerTimelineEntry) {
            eventId = entry.eventId
            kind = entry.kind.rawValue
            name = entry.name
            source = entry.source.rawValue
            anonymousId = entry.anonymousId
            properties = Value.object(entry.properties).plainJSON
            traits = Value.object(entry.traits).plainJSON
            at = entry.at
        }
    }

    struct ErasedView: Encodable {
        var customerId: String
        var erased: CustomerEraser.Summary

        enum CodingKeys: String, CodingKey {
            case erased
            case customerId = "customer_id"
        }
    }

    func add(to group: RouterGroup<Context>) {
        group.get("customers/{id}") { _, context in
            _ = try context.requireRole(.viewer)
            let id = try AdminPath.customerId(context)
            guard let stored = try await customers.stored(id) else {
                throw ProblemDetails(kind: .notFound, detail: "no customer with this id")
            }
            return JSONResponse.encode(CustomerView(id: id, stored: stored))
        }
        group.get("customers/{id}/messages") { request, context in
            _ = try context.requireRole(.viewer)
            let id = try AdminPath.customerId(context)
            let before = try AdminQuery.date(request, "before")
            let limit = try AdminQuery.limit(request, fallback: 50, maximum: 500)
            let list = try await customers.messages.messages(customerId: id, before: before, limit: limit)
            return JSONResponse.encode(["messages": list])
        }
        group.get("customers/{id}/timeline") { request, context in
            _ = try context.requireRole(.viewer)
            let id = try AdminPath.customerId(context)
            let range = try AdminQuery.timeRange(
                request, defaultSpan: .seconds(30 * 86_400), maxSpan: .seconds(3660 * 86_400))
            let limit = try AdminQuery.limit(request, fallback: 100, maximum: 1000)
            let entries = try await customers.timeline.entries(
                customerId: id, from: range.from, to: range.to, limit: limit)
            return JSONResponse.encode(["events": entries.map(TimelineEntryView.init)])
        }
        group.delete("customers/{id}") { _, context in
            let actor = try context.requireRole(.admin)
            let id = try AdminPath.customerId(context)
            let summary = try await customers.eraser.erase(id, actor: actor.name)
            return JSONResponse.encode(ErasedView(customerId: id, erased: summary))
        }
    }
}

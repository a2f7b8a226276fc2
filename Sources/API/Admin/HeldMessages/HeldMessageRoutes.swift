import SharedStores
import Foundation
import Hummingbird

/// Messages the dispatcher held because it cannot know whether the provider took them
/// (`on_unknown: hold`, see docs/ARCHITECTURE.md):
/// - `GET /v1/admin/held-messages?before=&limit=` (viewer): every customer's, newest first;
///   pages follow `next_before`;
/// - `POST /v1/admin/held-messages/{id}/resend|mark-sent|drop` (publisher: like a deploy, it
///   decides what customers receive): 404 for an id the ledger does not know, 409 when the
///   message is not held (any more). Each action is audited.
struct HeldMessageRoutes<Context: APIRequestContext>: Sendable {
    let actions: HeldMessageActions

    struct HeldMessageView: Encodable {
        var messageId: String
        var customerId: String
        var channel: String
        var scenario: String
        var step: String
        var connector: String?
        var heldAt: Date?
        var reason: String?
        var attempts: Int

        enum CodingKeys: String, CodingKey {
            case channel, scenario, step, connector, reason, attempts
            case messageId = "message_id"
            case customerId = "customer_id"
            case heldAt = "held_at"
        }

        init(_ entry: DispatchLedger.Entry) {
            messageId = entry.messageId
            customerId = entry.customerId
            channel = entry.channel
            scenario = entry.scenario
            step = entry.step
            connector = entry.connector
            heldAt = entry.heldAt.map { Date(timeIntervalSince1970: Double($0.milliseconds) / 1000) }
            reason = entry.reason
            attempts = entry.attempts
        }
    }

    struct PageView: Encodable {
        var messages: [HeldMessageView]
        var nextBefore: String?

        enum CodingKeys: String, CodingKey {
            case messages
            case nextBefore = "next_before"
        }
    }

    /// A message after an action: its ledger status (`released`, `sent`, `dropped`) and reason.
    struct OutcomeView: Encodable {
        var messageId: String
        var status: String
        var reason: String?

        enum CodingKeys: String, CodingKey {
            case status, reason
            case messageId = "message_id"
        }
    }

    func add(to group: RouterGroup<Context>) {
        group.get("held-messages") { request, context in
            _ = try context.requireRole(.viewer)
            let before = try HeldCursorText.parse(request.uri.queryParameters.get("before"))
            let limit = try AdminQuery.limit(request, fallback: 50, maximum: 500)
            let page = try await actions.page(limit: limit, after: before)
            return JSONResponse.encode(
                PageView(
                    messages: page.messages.map(HeldMessageView.init), nextBefore: page.next.map(HeldCursorText.text)))
        }
        group.post("held-messages/{id}/resend") { _, context in
            let (actor, id) = try Self.actorAndId(context)
            let entry = try await Self.refusing { try await actions.resend(id, actor: actor) }
            // Accepted: a dispatcher sends it when it reads the record again.
            return JSONResponse.encode(Self.outcome(entry), status: .accepted)
        }
        group.post("held-messages/{id}/mark-sent") { _, context in
            let (actor, id) = try Self.actorAndId(context)
            return JSONResponse.encode(
                Self.outcome(try await Self.refusing { try await actions.markSent(id, actor: actor) }))
        }
        group.post("held-messages/{id}/drop") { _, context in
            let (actor, id) = try Self.actorAndId(context)
            return JSONResponse.encode(
                Self.outcome(try await Self.refusing { try await actions.drop(id, actor: actor) }))
        }
    }

    private static func actorAndId(_ context: Context) throws(ProblemDetails) -> (String, String) {
        let actor = try context.requireRole(.publisher)
        // Message ids hold `/` (`scenario/version/instance/step/visit`): clients send it as %2F, and
        // the router matches the raw path.
        guard let raw = context.parameters.get("id"), let id = raw.removingPercentEncoding, !id.isEmpty,
            id.utf8.count <= 512
        else {
            throw ProblemDetails(kind: .invalidRequest, detail: "message id must be 1 to 512 bytes")
        }
        return (actor.name, id)
    }

    private static func outcome(_ entry: DispatchLedger.Entry) -> OutcomeView {
        OutcomeView(messageId: entry.messageId, status: entry.status.rawValue, reason: entry.reason)
    }

    /// The ledger's refusals as problems: 404 for an unknown id, 409 for a message not held.
    private static func refusing(
        _ action: () async throws -> DispatchLedger.Entry
    ) async throws -> DispatchLedger.Entry {
        do {
            return try await action()
        } catch let error as HeldMessageError {
            throw ProblemDetails(
                kind: error.code == .unknownMessage ? .notFound : .notHeld, detail: error.description)
        }
    }
}

/// The `before` cursor of the held-message list as text: `<held at ms>:<message id>`, base64url
/// so any message id travels in a query string.
enum HeldCursorText {
    static func text(_ cursor: DispatchLedger.HeldCursor) -> String {
        Data("\(cursor.heldAt):\(cursor.messageId)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func parse(_ text: String?) throws(ProblemDetails) -> DispatchLedger.HeldCursor? {
        guard let text else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":"), let heldAt = Int64(decoded[..<colon]),
            colon < decoded.index(before: decoded.endIndex)
        else {
            throw ProblemDetails(kind: .invalidRequest, detail: "before must be a next_before value of an earlier page")
        }
        return DispatchLedger.HeldCursor(heldAt: heldAt, messageId: String(decoded[decoded.index(after: colon)...]))
    }
}

import NudgeRecords
import ProcessSupport
import EngineCore
import Foundation
import Hummingbird
import NudgeKafka

/// `PUT /v1/admin/customers/{id}/subscriptions` (editor role): opt a customer out of (or back
/// into) channels, topics or all contact. The change travels as an `identify` event on the
/// events topic, so it reaches the customer's profile through the same ordered pipeline as
/// everything else and the contact policy sees it on the very next send.
struct CustomerSubscriptionRoutes<Context: APIRequestContext>: Sendable {
    let producer: KafkaProducer
    let eventsTopic: String
    let audit: any AuditLog

    struct Subscriptions: Decodable {
        var doNotContact: Bool?
        var unsubscribedChannels: [String]?
        var unsubscribedTopics: [String]?

        enum CodingKeys: String, CodingKey {
            case doNotContact = "do_not_contact"
            case unsubscribedChannels = "unsubscribed_channels"
            case unsubscribedTopics = "unsubscribed_topics"
        }

        /// The profile traits the contact policy reads (see docs/contact-policy.md).
        var traits: [String: Value] {
            var traits: [String: Value] = [:]
            if let doNotContact { traits["do_not_contact"] = .bool(doNotContact) }
            if let unsubscribedChannels {
                traits["unsubscribed_channels"] = .list(unsubscribedChannels.map(Value.string))
            }
            if let unsubscribedTopics { traits["unsubscribed_topics"] = .list(unsubscribedTopics.map(Value.string)) }
            return traits
        }
    }

    func add(to group: RouterGroup<Context>) {
        group.put("customers/{id}/subscriptions") { request, context in
            let actor = try context.requireRole(.editor)
            guard let customerId = context.parameters.get("id"), !customerId.isEmpty, customerId.count <= 256 else {
                throw ProblemDetails(kind: .invalidRequest, detail: "customer id must be 1 to 256 characters")
            }
            let body = try await RequestBodyReader.bytes(request, limit: 16 * 1024)
            let input: Subscriptions
            do {
                input = try JSONDecoder().decode(Subscriptions.self, from: Data(body.readableBytesView))
            } catch {
                throw ProblemDetails(
                    kind: .invalidJSON,
                    detail:
                        "expected {\"do_not_contact\": bool, \"unsubscribed_channels\": [..], \"unsubscribed_topics\": [..]}"
                )
            }
            let traits = input.traits
            guard !traits.isEmpty else {
                throw ProblemDetails(kind: .invalidRequest, detail: "nothing to change: give at least one field")
            }
            let event: Value = .object([
                "type": "identify", "userId": .string(customerId), "messageId": .string("admin-\(UUID().uuidString)"),
                "timestamp": .string(ISO8601.format(.wallClock())), "traits": .object(traits),
            ])
            do {
                _ = try await producer.send(
                    topic: eventsTopic, key: Array(customerId.utf8), value: Array(try JSONEncoder().encode(event)),
                    headers: [KafkaHeader(name: IngestRoutes<Context>.sourceHeader, value: Array("admin".utf8))])
            } catch {
                throw ProblemDetails(kind: .unavailable, detail: "the change could not be stored; retry later")
            }
            try await audit.record(
                actor: actor.name, action: "customer.subscriptions", subject: "customer:\(customerId)",
                detail: traits.mapValues { $0.jsonText })
            return JSONResponse.encode(["success": true], status: .accepted)
        }
    }
}

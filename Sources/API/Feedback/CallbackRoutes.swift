import SharedStores
import EngineCore
import Feedback
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/callbacks/{connector}`: delivery reports from providers. The raw body's HMAC-SHA256
/// signature is checked first (401, nothing recorded, when it does not match); the payload is
/// mapped by the connector's config to feedback events, which are on the feedback topic before
/// the answer (200 with counts), so a provider's retry is only ever needed for a 5xx.
struct CallbackRoutes<Context: RequestContext>: Sendable {
    let feedback: FeedbackDependencies
    let metrics: APIMetrics

    struct Answer: ResponseEncodable {
        var accepted: Int
        var ignored: Int
        var unknown: Int
    }

    func add(to group: RouterGroup<Context>) {
        group.post("callbacks/{connector}") { request, context -> Answer in
            let name = context.parameters.get("connector") ?? ""
            guard let config = feedback.callbacks[name] else {
                throw ProblemDetails(kind: .notFound, detail: "no connector \(name) takes callbacks")
            }
            let body = try await RequestBodyReader.bytes(request, limit: 1 << 20)
            let bytes = Array(body.readableBytesView)
            let now = Timestamp.wallClock()
            do {
                try CallbackSignature(config: config).verify(
                    body: bytes, header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } }, now: now)
            } catch {
                metrics.authFailure(kind: "callback_signature")
                throw ProblemDetails(kind: .unauthorized, detail: "\(error)")
            }
            let payload: Value
            do {
                payload = try JSONDecoder().decode(Value.self, from: Data(bytes))
            } catch {
                throw ProblemDetails(kind: .invalidJSON, detail: "the callback body is not JSON")
            }
            let read: (items: [ProviderFeedback], ignored: Int)
            do {
                read = try config.mapping.read(payload)
            } catch {
                throw ProblemDetails(kind: .invalidRequest, detail: "\(error)")
            }
            do {
                let summary = try await feedback.publisher.publish(
                    read.items, ignored: read.ignored, connector: name, receivedAt: now)
                return Answer(accepted: summary.accepted, ignored: summary.ignored, unknown: summary.unknown)
            } catch {
                throw ProblemDetails(kind: .unavailable, detail: "feedback could not be recorded; retry later")
            }
        }
    }
}

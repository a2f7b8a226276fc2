import SharedStores
import EngineCore
import Feedback
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The tracking endpoints behind the links and pixels of sent messages. Tokens are signed
/// (`TrackingTokenSigner`): they cannot be guessed or forged, and a click only ever redirects to
/// the URL signed into its token.
/// - `GET /t/o/{token}`: a 1x1 transparent GIF; records an open (a bad token records nothing but
///   still gets the image, so mail clients show no broken picture).
/// - `GET /t/c/{token}`: records a click and answers 302 to the link's target; 404 for a bad token.
/// - `GET /t/u/{token}`: a page confirming the unsubscribe; `POST` (the page's button, or a mail
///   client's RFC 8058 one-click request) records it.
struct TrackingRoutes<Context: RequestContext>: Sendable {
    let feedback: FeedbackDependencies

    func add(to router: Router<Context>) {
        let group = router.group("t")
        group.get("o/{token}") { _, context in
            if let token = try? verify(context, .open) {
                try? await record(token, status: .opened)
            }
            var headers = HTTPFields()
            headers[.contentType] = "image/gif"
            headers[.cacheControl] = "no-store, max-age=0"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: TrackingPixel.gif)))
        }
        group.get("c/{token}") { _, context in
            let token = try verify(context, .click)
            guard let target = token.url else { throw ProblemDetails(kind: .notFound, detail: "unknown link") }
            // The click counts even if recording fails: the customer must reach the page.
            try? await record(token, status: .clicked, url: target)
            var headers = HTTPFields()
            headers[.location] = target
            headers[.cacheControl] = "no-store"
            return Response(status: .found, headers: headers)
        }
        group.get("u/{token}") { _, context in
            let token = try verify(context, .unsubscribe)
            return html(
                "<form method=\"post\"><p>Stop receiving these \(escape(token.topic ?? token.channel)) messages?</p>"
                    + "<button type=\"submit\">Unsubscribe</button></form>")
        }
        group.post("u/{token}") { _, context in
            let token = try verify(context, .unsubscribe)
            do {
                try await record(token, status: .unsubscribed)
            } catch {
                throw ProblemDetails(kind: .unavailable, detail: "the unsubscribe could not be recorded; try again")
            }
            return html("<p>You are unsubscribed.</p>")
        }
    }

    private func verify(_ context: Context, _ kind: TrackingToken.Kind) throws -> TrackingToken {
        guard let text = context.parameters.get("token"), text.count <= 4096 else {
            throw ProblemDetails(kind: .notFound, detail: "unknown link")
        }
        do {
            return try feedback.signer.verify(Substring(text), as: kind)
        } catch {
            throw ProblemDetails(kind: .notFound, detail: "unknown link")
        }
    }

    private func record(_ token: TrackingToken, status: DeliveryFeedback.Status, url: String? = nil) async throws {
        try await feedback.publisher.publish([
            FeedbackEvent(
                status: status, messageId: token.messageId, customerId: token.customerId, channel: token.channel,
                connector: "tracking", at: .wallClock(), url: url, topic: token.topic, discriminator: url)
        ])
    }

    private func html(_ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        let page =
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Subscription</title></head><body>\(body)</body></html>"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// GIF89a, 1x1, one transparent pixel.
enum TrackingPixel {
    static let gif: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF,
        0xFF,
        0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x02,
        0x02, 0x44, 0x01, 0x00, 0x3B,
    ]
}

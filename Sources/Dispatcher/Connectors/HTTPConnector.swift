import AsyncHTTPClient
import EngineCore
import Feedback
import Foundation
import MessageTemplates
import NIOCore
import NIOHTTP1

/// The generic HTTP connector for SMS, push and ESP gateways: method, URL, headers and body are
/// templates in the connector's config, rendered against the message. 2xx is success (the
/// provider's id read from its JSON answer), 408/429/5xx and network errors are transient, any
/// other 4xx is permanent. Header values (which carry credentials) never reach logs or errors.
public struct HTTPConnector: MessageConnector {
    public let name: String
    private let settings: HTTPSettings
    private let url: MessageTemplate
    private let headers: [(name: String, value: MessageTemplate)]
    private let body: MessageTemplate?
    private let timeout: Duration
    private let client: HTTPClient

    public init(name: String, settings: HTTPSettings, timeout: Duration, client: HTTPClient = .shared) throws {
        self.name = name
        self.settings = settings
        self.timeout = timeout
        self.client = client
        self.url = try MessageTemplate(source: settings.url, name: "\(name).url")
        self.headers = try settings.headers.map { ($0.name, try MessageTemplate(source: $0.value, name: "\(name).headers")) }
        self.body = try settings.body.map { try MessageTemplate(source: $0, name: "\(name).body") }
    }

    public func deliver(_ message: RenderedMessage, recipient: String?) async throws(DeliveryFailure) -> DeliveryReceipt {
        let request = try makeRequest(message, recipient: recipient)
        let response: HTTPClientResponse
        let answer: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds * 1_000_000_000
                + timeout.components.attoseconds / 1_000_000_000)))
            answer = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw .transient("\(settings.method) \(request.url.prefix(while: { $0 != "?" })): \(Self.describe(error))")
        }
        let status = response.status.code
        switch status {
        case 200..<300:
            let providerId = settings.responseMessageId.flatMap { path in
                (try? JSONDecoder().decode(Value.self, from: Data(answer.readableBytesView))).flatMap { path.text(in: $0) }
            }
            return DeliveryReceipt(providerMessageId: providerId, detail: "HTTP \(status)")
        case 408, 429, 500..<600:
            throw .transient("HTTP \(status)\(Self.snippet(answer))")
        default:
            throw .permanent("HTTP \(status)\(Self.snippet(answer))")
        }
    }

    /// The request for one message; a template that cannot render is the message's fault (a
    /// missing variable), so a permanent failure.
    func makeRequest(_ message: RenderedMessage, recipient: String?) throws(DeliveryFailure) -> HTTPClientRequest {
        var context = message.context
        context["content"] = .object(message.parts.mapValues(Value.string))
        if let recipient { context["recipient"] = .string(recipient) }
        let contextValue = Value.object(context)
        do {
            var request = HTTPClientRequest(url: try url.render(contextValue, escaping: .url))
            request.method = HTTPMethod(rawValue: settings.method)
            for (headerName, template) in headers {
                request.headers.add(name: headerName, value: try template.render(contextValue, escaping: .none))
            }
            if let idempotencyHeader = settings.idempotencyHeader {
                request.headers.replaceOrAdd(name: idempotencyHeader, value: message.message.messageId)
            }
            if let body {
                let escaping: Escaping =
                    switch settings.bodyFormat {
                    case .json: .json
                    case .form: .url
                    case .text: .none
                    }
                let text = try body.render(contextValue, escaping: escaping)
                if !request.headers.contains(name: "Content-Type") {
                    request.headers.add(name: "Content-Type", value: settings.bodyFormat.contentType)
                }
                request.body = .bytes(ByteBuffer(string: text))
            }
            return request
        } catch {
            throw .permanent("cannot render the \(name) request: \(error)")
        }
    }

    private static func snippet(_ body: ByteBuffer) -> String {
        let text = String(decoding: body.readableBytesView.prefix(200), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return text.isEmpty ? "" : ": \(text)"
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: type(of: error)) + ": \(error)"
    }
}

extension HTTPSettings.BodyFormat {
    var contentType: String {
        switch self {
        case .json: "application/json"
        case .form: "application/x-www-form-urlencoded"
        case .text: "text/plain; charset=utf-8"
        }
    }
}

import AsyncHTTPClient
import EngineCore
import Feedback
import Foundation
import Logging
import NIOCore
import NudgeTestSupport
import PostgresNIO
import Testing

@testable import NudgeApp

/// The whole loop with real peers: engine -> outbound topic -> dispatcher -> a test-owned push
/// and SMS gateway -> signed delivery callbacks -> API -> feedback topic -> engine. A push that
/// is not delivered in time cascades to SMS; a delivered push ends the instance with no SMS.
@Suite("Cascade delivery end to end", .serialized, .timeLimit(.minutes(3)))
struct CascadeDeliveryEndToEndTests {
    static let callbackSecret = "cascade-callback-secret-0123456789"

    static let scenario = """
        id: cascade
        version: 1
        name: Ticket confirmation, push then SMS
        owner: tests
        status: active
        trigger:
          event: Ticket Purchased
        entry:
          key: event.properties.ticket_id
        vars:
          ticket_id: event.properties.ticket_id
          draw_id: event.properties.draw_id
          game: event.properties.game
        start: send_push
        steps:
          send_push:
            send:
              channel: push
              template: ticket-confirmation-push
              transactional: true
              variables:
                game: instance.game
                draw_id: instance.draw_id
            next: wait_for_delivery
          wait_for_delivery:
            wait_for:
              event: Message Delivered
              when: event.properties.message_id == instance.last_message_id
              timeout: 10s
            on_event: delivered
            on_timeout: send_sms
          send_sms:
            send:
              channel: sms
              template: ticket-confirmation-sms
              transactional: true
              variables:
                game: instance.game
                draw_id: instance.draw_id
            next: delivered
          delivered:
            end: {}
        """

    /// Connector files for the gateway at `baseURL`; templates are the repository's own.
    static func connectors(baseURL: String) throws -> URL {
        let push = """
            type: http
            channel: push
            recipient: profile.push_token
            retry: {attempts: 2, base_delay: 50ms, max_delay: 100ms}
            http:
              url: \(baseURL)/v1/push
              headers: {Authorization: Bearer push-token}
              body: '{"token": "{{recipient}}", "title": "{{content.title}}", "reference": "{{message.id}}"}'
              response: {message_id: $.id}
            callback:
              secret: \(callbackSecret)
              signature_header: X-Signature
              message_id: $.reference
              provider_message_id: $.id
              status: $.status
              statuses: {delivered: message_delivered, failed: message_failed}
              event_id: $.event_id
            """
        let sms = """
            type: http
            channel: sms
            recipient: profile.phone
            http:
              url: \(baseURL)/v1/messages
              body: '{"to": "{{recipient}}", "text": "{{content.text}}", "reference": "{{message.id}}"}'
              response: {message_id: $.id}
            """
        return try EngineTestEnvironment.connectorsDirectory(["push.yaml": push, "sms.yaml": sms])
    }

    @Test func undeliveredPushCascadesToSMSAndDeliveredPushDoesNot() async throws {
        var setup = try await EngineTestEnvironment("cascade", scenarios: ["cascade.yaml": Self.scenario])
        let database = try await setup.useFreshDatabase()
        let apiPort = try FreePort.find()
        setup.config.http.port = apiPort
        setup.config.tracking.secret = "cascade-tracking-secret-0123456789"
        let env = setup
        try await env.createTopics()
        let producer = try env.producer()

        // The gateway confirms delivery of pushes to customers named delivered-*, by a signed
        // callback to the API, like a provider's webhook.
        let gateway = TestGateway(afterAccept: { request, id in
            guard request.path == "/v1/push", request.body["token"]?.hasPrefix("token-delivered") == true else { return }
            let body = #"{"id": "\#(id)", "reference": "\#(request.body["reference"] ?? "")", "status": "delivered", "event_id": "ev-\#(id)"}"#
            var callback = HTTPClientRequest(url: "http://127.0.0.1:\(apiPort)/v1/callbacks/push")
            callback.method = .POST
            callback.headers.add(name: "X-Signature", value: CallbackSignature.sign(body: Array(body.utf8), secret: Self.callbackSecret))
            callback.body = .bytes(ByteBuffer(string: body))
            _ = try? await HTTPClient.shared.execute(callback, timeout: .seconds(5))
        })
        try await gateway.run { gateway in
            var config = env.config
            config.connectorsDirectory = try Self.connectors(baseURL: gateway.baseURL).path
            let app = try await NudgeApplication.build(config: config, components: .all, logger: env.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.run() }
                defer { group.cancelAll() }

                var events: [SegmentEvent] = []
                for name in ["delivered-1", "delivered-2", "silent-1", "silent-2"] {
                    events.append(
                        SegmentEvent(
                            type: "identify", event: "", customerId: name,
                            traits: ["push_token": .string("token-\(name)"), "phone": .string("+49-\(name)")]))
                    events.append(
                        SegmentEvent(
                            event: "Ticket Purchased", customerId: name,
                            properties: ["ticket_id": .string("t-\(name)"), "draw_id": "d-7", "game": "Lotto 6aus49"]))
                }
                try await env.send(events, with: producer)

                let deadline = ContinuousClock.now + .seconds(60)
                while gateway.requests.filter({ $0.path == "/v1/messages" }).count < 2, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                }
                // Well past the delivered customers' timeout: an SMS for them would be here by now.
                // (The timeout leaves the delivery callback 10 s through the gateway, the API, the
                // feedback topic and the engine: 4 s was too short when other suites load the machine.)
                try await Task.sleep(for: .seconds(12))

                let pushes = gateway.requests.filter { $0.path == "/v1/push" }
                let texts = gateway.requests.filter { $0.path == "/v1/messages" }
                #expect(Set(pushes.compactMap { $0.body["token"] }) == ["token-delivered-1", "token-delivered-2", "token-silent-1", "token-silent-2"])
                #expect(pushes.count == 4)
                #expect(pushes.allSatisfy { $0.body["title"] == "Ticket confirmed: Lotto 6aus49" })
                #expect(pushes.allSatisfy { $0.authorization == "Bearer push-token" && $0.idempotencyKey != nil })
                #expect(Set(texts.compactMap { $0.body["to"] }) == ["+49-silent-1", "+49-silent-2"])
                #expect(texts.count == 2)
                #expect(texts.allSatisfy { $0.body["text"] == "Your Lotto 6aus49 ticket for draw d-7 is confirmed. Good luck!" })

                // The message log has each message with its final status.
                let statuses = try await TestPostgres.withClient(env.config.postgres) { client in
                    var statuses: [String: [String]] = [:]
                    let rows = try await client.query(
                        "SELECT customer_id, channel, status FROM messages ORDER BY customer_id, channel", logger: env.logger)
                    for try await (customer, channel, status) in rows.decode((String, String, String).self) {
                        statuses[customer, default: []].append("\(channel):\(status)")
                    }
                    return statuses
                }
                #expect(statuses["delivered-1"] == ["push:delivered"])
                #expect(statuses["delivered-2"] == ["push:delivered"])
                #expect(statuses["silent-1"] == ["push:sent", "sms:sent"])
                #expect(statuses["silent-2"] == ["push:sent", "sms:sent"])
            }
        }
        await producer.shutdown()
        await TestPostgres.drop(database)
    }
}

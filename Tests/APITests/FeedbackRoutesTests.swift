import API
import Dispatcher
import EngineCore
import Feedback
import Foundation
import SharedStores
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NudgeKafka
import NudgeRedis
import Testing

/// Provider callbacks and tracking links, against the real Kafka and Redis: what reaches the
/// feedback topic, and what a forged request gets (nothing recorded).
@Suite("Feedback endpoints", .serialized, .timeLimit(.minutes(2)))
struct FeedbackRoutesTests {
    static let secret = "sms-callback-secret-0123456789"
    static let signer = TrackingTokenSigner(secret: "tracking-secret-0123456789")

    static let mapping = CallbackMapping(
        events: try? JSONPath("$.events"), messageId: try? JSONPath("$.reference"),
        providerMessageId: try? JSONPath("$.id"), status: (try? JSONPath("$.status"))!,
        statuses: ["delivered": .delivered, "failed": .failed, "undeliverable": .bounced],
        reason: try? JSONPath("$.error"), bounceType: try? JSONPath("$.bounce"), eventId: try? JSONPath("$.event_id"))

    /// A router with the feedback routes, the ledger knowing two messages of customer c-9.
    func withFeedback(
        _ body: @escaping @Sendable (any TestClientProtocol, APITestEnvironment, String) async throws -> Void
    ) async throws {
        let env = try await APITestEnvironment("feedback")
        let topic = "\(env.name).feedback"
        let admin = try KafkaAdmin(config: env.kafka, logger: env.logger)
        try await admin.createTopics([KafkaTopicSpec(name: topic, partitions: APITestEnvironment.partitions)])
        await admin.shutdown()
        let redis = RedisClient(config: env.redisConfig, logger: env.logger)
        let ledger = DispatchLedger(redis: redis, keyPrefix: env.keyPrefix)
        for id in ["m-1", "m-2"] {
            _ = try await ledger.begin(
                messageId: id, customerId: "c-9", channel: "sms", scenario: "s", step: "send", topic: "news")
            try await ledger.complete(
                messageId: id, status: .sent, connector: "sms", providerMessageId: "p-\(id)", reason: nil)
        }
        let producer = try KafkaProducer(config: KafkaProducerConfig(client: env.kafka), logger: env.logger)
        let feedback = FeedbackDependencies(
            callbacks: [
                "sms": CallbackConfig(secret: Self.secret, signatureHeader: "X-Signature", mapping: Self.mapping)
            ],
            signer: Self.signer,
            publisher: FeedbackPublisher(ledger: ledger, producer: producer, topic: topic, logger: env.logger))
        let router = Router(context: APIContext.self)
        addAPIRoutes(
            to: router,
            dependencies: APIDependencies(
                config: APITestEnvironment.config(), eventsTopic: env.eventsTopic, redisKeyPrefix: env.keyPrefix,
                producer: producer, redis: redis, keyStore: InMemoryAPIKeyStore(), auditLog: InMemoryAuditLog(),
                impressions: ImpressionRecorder(
                    producer: producer, topic: env.eventsTopic, capacity: 10, logger: env.logger),
                feedback: feedback, logger: env.logger))
        do {
            try await Application(router: router, logger: env.logger).test(.router) { client in
                try await body(client, env, topic)
            }
        } catch {
            await producer.shutdown()
            throw error
        }
        await producer.shutdown()
    }

    static func feedbackRecords(_ env: APITestEnvironment, topic: String) async throws -> [(
        key: String, event: [String: Value]
    )] {
        let reader = try KafkaPartitionReader(config: env.kafka, logger: env.logger)
        var records: [(String, [String: Value])] = []
        for partition in 0..<APITestEnvironment.partitions {
            for message in try await reader.readAll(topic: topic, partition: partition, from: 0) {
                guard case .object(let object) = try JSONDecoder().decode(Value.self, from: Data(message.value)) else {
                    continue
                }
                records.append((String(decoding: message.key ?? [], as: UTF8.self), object))
            }
        }
        await reader.close()
        return records
    }

    static func post(_ body: String, signature: String?) -> (HTTPFields, ByteBuffer) {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let signature, let name = HTTPField.Name("X-Signature") { headers[name] = signature }
        return (headers, ByteBuffer(string: body))
    }

    @Test func aSignedCallbackBecomesFeedbackEventsKeyedByCustomer() async throws {
        try await withFeedback { client, env, topic in
            let body = """
                {"events": [
                  {"reference": "m-1", "status": "delivered", "event_id": "e-1"},
                  {"id": "p-m-2", "status": "undeliverable", "error": "no such number", "bounce": "hard", "event_id": "e-2"},
                  {"reference": "m-1", "status": "queued"},
                  {"reference": "unknown", "status": "delivered"}
                ]}
                """
            let (headers, buffer) = Self.post(
                body, signature: CallbackSignature.sign(body: Array(body.utf8), secret: Self.secret))
            try await client.execute(uri: "/v1/callbacks/sms", method: .post, headers: headers, body: buffer) {
                response in
                #expect(response.status == .ok)
                let answer = try JSONDecoder().decode([String: Int].self, from: Data(response.body.readableBytesView))
                #expect(answer == ["accepted": 2, "ignored": 1, "unknown": 1])
            }
            let records = try await Self.feedbackRecords(env, topic: topic)
            #expect(records.count == 2)
            #expect(records.allSatisfy { $0.key == "c-9" && $0.event["userId"]?.stringValue == "c-9" })
            let delivered = records.first { $0.event["event"]?.stringValue == "Message Delivered" }?.event
            #expect(delivered?["messageId"]?.stringValue?.hasPrefix("fb:delivered:m-1") == true)
            #expect(delivered?["properties"]?[member: "feedback"] == "message_delivered")
            #expect(delivered?["properties"]?[member: "message_id"] == "m-1")
            let bounced = records.first { $0.event["event"]?.stringValue == "Message Bounced" }?.event
            #expect(bounced?["properties"]?[member: "bounce_type"] == "hard")
            #expect(bounced?["properties"]?[member: "channel"] == "sms")
            #expect(bounced?["properties"]?[member: "reason"] == "no such number")
        }
    }

    @Test func aBadOrMissingSignatureGets401AndRecordsNothing() async throws {
        try await withFeedback { client, env, topic in
            let body = #"{"events": [{"reference": "m-1", "status": "delivered"}]}"#
            let forged = CallbackSignature.sign(body: Array(body.utf8), secret: "someone-elses-secret-000")
            for signature in [forged, nil, "sha256=zz"] {
                let (headers, buffer) = Self.post(body, signature: signature)
                try await client.execute(uri: "/v1/callbacks/sms", method: .post, headers: headers, body: buffer) {
                    response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
            // A correctly signed body for another connector name is unknown.
            let (headers, buffer) = Self.post(
                body, signature: CallbackSignature.sign(body: Array(body.utf8), secret: Self.secret))
            try await client.execute(uri: "/v1/callbacks/push", method: .post, headers: headers, body: buffer) {
                response in
                #expect(response.status == .notFound)
            }
            #expect(try await Self.feedbackRecords(env, topic: topic).isEmpty)
        }
    }

    @Test func trackingRecordsOpensClicksAndUnsubscribesFromSignedTokensOnly() async throws {
        try await withFeedback { client, env, topic in
            let open = Self.signer.sign(
                TrackingToken(kind: .open, messageId: "m-1", customerId: "c-9", channel: "email"))
            try await client.execute(uri: "/t/o/\(open)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/gif")
                #expect(response.body.getBytes(at: 0, length: 6) == Array("GIF89a".utf8))
            }
            let target = "https://shop.example/cart?id=7&utm=mail"
            let click = Self.signer.sign(
                TrackingToken(kind: .click, messageId: "m-1", customerId: "c-9", channel: "email", url: target))
            try await client.execute(uri: "/t/c/\(click)", method: .get) { response in
                #expect(response.status == .found)
                #expect(response.headers[.location] == target)
            }
            // A token with its target swapped, a token of another kind, and garbage: no redirect.
            let parts = click.split(separator: ".")
            let evil = TrackingToken(
                kind: .click, messageId: "m-1", customerId: "c-9", channel: "email", url: "https://evil.example")
            let swapped = Self.signer.sign(evil).split(separator: ".")[0] + "." + parts[1]
            for bad in [String(swapped), open, "not-a-token"] {
                try await client.execute(uri: "/t/c/\(bad)", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.location] == nil)
                }
            }
            let unsubscribe = Self.signer.sign(
                TrackingToken(kind: .unsubscribe, messageId: "m-1", customerId: "c-9", channel: "email", topic: "news"))
            try await client.execute(uri: "/t/u/\(unsubscribe)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("<form method=\"post\">"))
            }
            try await client.execute(
                uri: "/t/u/\(unsubscribe)", method: .post, body: ByteBuffer(string: "List-Unsubscribe=One-Click")
            ) { response in
                #expect(response.status == .ok)
            }

            let records = try await Self.feedbackRecords(env, topic: topic)
            let names = records.compactMap { $0.event["event"]?.stringValue }.sorted()
            #expect(names == ["Message Clicked", "Message Opened", "Unsubscribed"])
            let clicked = records.first { $0.event["event"]?.stringValue == "Message Clicked" }?.event
            #expect(clicked?["properties"]?[member: "url"] == .string(target))
            let unsubscribed = records.first { $0.event["event"]?.stringValue == "Unsubscribed" }?.event
            #expect(unsubscribed?["properties"]?[member: "topic"] == "news")
            #expect(unsubscribed?["properties"]?[member: "channel"] == "email")
        }
    }
}

import API
import EngineCore
import Foundation
import NudgeRecords
import ProcessSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NudgeApp
import NudgeKafka
import NudgePostgres
import NudgeRedis
import PostgresNIO
import Testing

/// The local services of scripts/stack.sh with an events topic and a Redis key prefix of the
/// test's own. Missing services fail the test (nothing is skipped).
struct APITestEnvironment: Sendable {
    let name: String
    let kafka: KafkaConfig
    let redisConfig: RedisConfig
    let eventsTopic: String
    let logger: Logger
    static let partitions: Int32 = 2

    static let writeKey = "wk_test_web"
    static let siteKey = "pk_test_shop"
    static let origin = "https://shop.example"

    init(_ label: String) async throws {
        let env = ProcessInfo.processInfo.environment
        name = "api-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        kafka = KafkaConfig(
            brokers: (env["NUDGE_KAFKA_BROKERS"] ?? "127.0.0.1:19092").split(separator: ",").map(String.init))
        var redis = RedisConfig()
        redis.host = env["NUDGE_REDIS_HOST"] ?? "127.0.0.1"
        redis.port = env["NUDGE_REDIS_PORT"].flatMap(Int.init) ?? 16379
        redisConfig = redis
        eventsTopic = "\(name).events"
        var logger = Logger(label: "nudge.tests.api")
        logger.logLevel = .warning
        self.logger = logger
        let admin = try KafkaAdmin(config: kafka, logger: logger)
        try await admin.createTopics([KafkaTopicSpec(name: eventsTopic, partitions: Self.partitions)])
        await admin.shutdown()
    }

    var keyPrefix: String { name }

    static func config(_ change: (inout APIConfig) -> Void = { _ in }) -> APIConfig {
        var config = APIConfig(
            writeKeys: [NamedKey(name: "web", key: writeKey)],
            siteKeys: [NamedKey(name: "shop", key: siteKey)],
            corsOrigins: [origin],
            contentDefaults: ["sidebar": ["headline": "Free shipping over 50 EUR"]]
        )
        change(&config)
        return config
    }

    /// Runs `body` with the API routes in a router of their own, the impression recorder running.
    func withRouter<T: Sendable>(
        config: APIConfig = APITestEnvironment.config(),
        keyStore: any APIKeyStore = InMemoryAPIKeyStore(),
        auditLog: any AuditLog = InMemoryAuditLog(),
        admin: AdminDependencies? = nil,
        _ body: @Sendable (Router<APIContext>) async throws -> T
    ) async throws -> T {
        let producer = try KafkaProducer(config: KafkaProducerConfig(client: kafka), logger: logger)
        let redis = RedisClient(config: redisConfig, logger: logger)
        let impressions = ImpressionRecorder(
            producer: producer, topic: eventsTopic, capacity: config.impressionBufferSize, logger: logger)
        let router = Router(context: APIContext.self)
        addAPIRoutes(
            to: router,
            dependencies: APIDependencies(
                config: config, eventsTopic: eventsTopic, redisKeyPrefix: keyPrefix, producer: producer, redis: redis,
                keyStore: keyStore, auditLog: auditLog, impressions: impressions, admin: admin, logger: logger))
        let recorder = Task { await impressions.run() }
        do {
            let result = try await body(router)
            recorder.cancel()
            await recorder.value
            await producer.shutdown()
            return result
        } catch {
            recorder.cancel()
            await recorder.value
            await producer.shutdown()
            throw error
        }
    }

    /// `withRouter` plus an in-process test client.
    func withClient<T: Sendable>(
        config: APIConfig = APITestEnvironment.config(),
        keyStore: any APIKeyStore = InMemoryAPIKeyStore(),
        auditLog: any AuditLog = InMemoryAuditLog(),
        admin: AdminDependencies? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        try await withRouter(config: config, keyStore: keyStore, auditLog: auditLog, admin: admin) { router in
            try await Application(router: router, logger: logger).test(.router) { client in try await body(client) }
        }
    }

    /// Every record on the events topic so far, as JSON objects with their Kafka key.
    func events() async throws -> [(key: String, headers: [KafkaHeader], object: [String: Value])] {
        let reader = try KafkaPartitionReader(config: kafka, logger: logger)
        var messages: [KafkaMessage] = []
        do {
            for partition in 0..<Self.partitions {
                messages += try await reader.readAll(topic: eventsTopic, partition: partition, from: 0)
            }
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        return try messages.map { message in
            guard case .object(let object) = try JSONDecoder().decode(Value.self, from: Data(message.value)) else {
                throw TestFailure("record is not a JSON object")
            }
            return (String(decoding: message.key ?? [], as: UTF8.self), message.headers, object)
        }
    }

    /// Waits for at least `count` records (impressions are produced in the background).
    func waitForEvents(
        count: Int, timeout: Duration = .seconds(10)
    ) async throws -> [(key: String, headers: [KafkaHeader], object: [String: Value])] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let events = try await events()
            if events.count >= count || ContinuousClock.now > deadline { return events }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func redis() -> RedisClient { RedisClient(config: redisConfig, logger: logger) }

    /// Stores content for a slot the way the engine does (`SlotContent` JSON in the slots hash).
    func storeSlot(
        customer: String, slot: String, payload: [String: Value], scenario: String = "welcome", step: String = "banner",
        expiresAt: Date? = nil
    ) async throws {
        var content: [String: Value] = [
            "payload": .object(payload), "scenario": .string(scenario), "step": .string(step),
            "updated_at": .int(Int64(Date().timeIntervalSince1970 * 1000)),
        ]
        if let expiresAt { content["expires_at"] = .int(Int64(expiresAt.timeIntervalSince1970 * 1000)) }
        let json = try JSONEncoder().encode(Value.object(content))
        _ = try await redis().send("HSET", "\(keyPrefix):slots:{\(customer)}", slot, Array(json))
    }

    /// Marks `anonymousId` as merged into `known`, as the engine's identity merge does.
    func storeAlias(_ anonymousId: String, known: String) async throws {
        _ = try await redis().send("HSET", "\(keyPrefix):cust:{\(anonymousId)}", "a", known)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension APITestEnvironment {
    static var basicAuth: String { "Basic " + Data("\(writeKey):".utf8).base64EncodedString() }
}

extension ByteBuffer {
    init(json: String) { self.init(string: json) }
}

/// Decodes a problem+json response body.
func problem(_ response: TestResponse) -> ProblemDetails? {
    #expect(response.headers[.contentType] == "application/problem+json")
    return try? JSONDecoder().decode(ProblemDetails.self, from: Data(response.body.readableBytesView))
}

func jsonObject(_ response: TestResponse) throws -> [String: Value] {
    guard case .object(let object) = try JSONDecoder().decode(Value.self, from: Data(response.body.readableBytesView))
    else { throw TestFailure("response is not a JSON object") }
    return object
}

import API
import Dispatcher
import Feedback
import Foundation
import Hummingbird
import NudgeKafka
import NudgeRedis
import NudgeTestSupport
import PostgresNIO
import Testing

@testable import NudgeApp

/// openapi.yaml must describe exactly the routes the server registers.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static var documentURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.yaml")
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// (METHOD, /path) of every operation under `paths:`: a line scan of the document's layout
    /// (paths at two spaces, operations at four).
    static func documentedOperations(_ text: String) -> Set<String> {
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty {
                inPaths = line == "paths:"
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if Self.methods.contains(String(key)) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test func documentMatchesTheRouter() async throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let documented = Self.documentedOperations(text)
        #expect(documented.count > 10)

        let env = try await APITestEnvironment("openapi")
        let registered = try await Self.everyRoute(env)
        // The operations routes live in NudgeApp's router until both are one router.
        let operations = buildRouter(checks: [], registry: MetricsBootstrap.prometheus(), readinessTimeout: .seconds(1))
        let all = registered.union(operations.routes.map { "\($0.method.rawValue) \($0.path)" })

        #expect(
            documented.subtracting(all).isEmpty, "documented but not served: \(documented.subtracting(all).sorted())")
        #expect(
            all.subtracting(documented).isEmpty, "served but not documented: \(all.subtracting(documented).sorted())")
    }

    /// The routes of a server with every optional part on: feedback endpoints and admin routes.
    /// (Routes hold their clients; nothing here connects.)
    static func everyRoute(_ env: APITestEnvironment) async throws -> Set<String> {
        let producer = try KafkaProducer(config: KafkaProducerConfig(client: env.kafka), logger: env.logger)
        let redis = RedisClient(config: env.redisConfig, logger: env.logger)
        let feedback = FeedbackDependencies(
            callbacks: [:], signer: TrackingTokenSigner(secret: "openapi-tracking-secret-0123"),
            publisher: FeedbackPublisher(
                ledger: DispatchLedger(redis: redis, keyPrefix: env.keyPrefix), producer: producer,
                topic: env.eventsTopic, logger: env.logger))
        let router = Router(context: APIContext.self)
        addAPIRoutes(
            to: router,
            dependencies: APIDependencies(
                config: APITestEnvironment.config(), eventsTopic: env.eventsTopic, redisKeyPrefix: env.keyPrefix,
                producer: producer, redis: redis, keyStore: InMemoryAPIKeyStore(), auditLog: InMemoryAuditLog(),
                impressions: ImpressionRecorder(producer: producer, topic: env.eventsTopic, capacity: 1, logger: env.logger),
                feedback: feedback,
                admin: AdminDependencies(
                    postgres: PostgresClient(config: TestPostgres.baseConfig, logger: env.logger), partitions: 2,
                    logger: env.logger),
                logger: env.logger))
        await producer.shutdown()
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
    }

    @Test func everyOperationHasAnIdOrIsAPreflightAndErrorsAreProblems() throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        #expect(text.hasPrefix("openapi: 3.1"))
        #expect(text.contains("application/problem+json"))
        let ids = text.split(separator: "\n").filter { $0.contains("operationId:") }
        #expect(ids.count == Self.documentedOperations(text).count)
        #expect(Set(ids).count == ids.count, "operation ids are unique")
    }
}

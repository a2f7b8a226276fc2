import API
import Dispatcher
import Feedback
import Foundation
import SharedStores
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
                impressions: ImpressionRecorder(
                    producer: producer, topic: env.eventsTopic, capacity: 1, logger: env.logger),
                feedback: feedback,
                admin: AdminDependencies(
                    postgres: PostgresClient(config: TestPostgres.baseConfig, logger: env.logger), partitions: 2,
                    logger: env.logger),
                logger: env.logger))
        await producer.shutdown()
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
    }

    /// openapi-spec-validator, installed by `scripts/install-deps.sh` into `.tools`.
    static var validatorURL: URL {
        documentURL.deletingLastPathComponent().appendingPathComponent(".tools/bin/openapi-spec-validator")
    }

    /// Runs the validator on `document`: its exit status and everything it printed.
    static func validate(_ document: URL) throws -> (status: Int32, output: String) {
        let validator = validatorURL
        guard FileManager.default.isExecutableFile(atPath: validator.path) else {
            throw ValidatorMissing(path: validator.path)
        }
        return try ToolRun.run(validator, ["--validation-errors", "all", document.path])
    }

    struct ValidatorMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "openapi-spec-validator not found at \(path): run scripts/install-deps.sh" }
    }

    /// Clients and generators need a document that is valid OpenAPI, not only one that lists the
    /// routes: a real validator (openapi-spec-validator) checks it against the OpenAPI 3.1 schema.
    @Test func documentIsValidOpenAPI() throws {
        let result = try Self.validate(Self.documentURL)
        #expect(result.status == 0, "openapi-spec-validator refuses openapi.yaml:\n\(result.output)")
    }

    /// The validator itself catches the kind of mistake it was brought in for (a description with
    /// a comma in a flow mapping, folded into a key), so a validator that passes everything fails here.
    @Test func validatorRefusesABrokenDocument() throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let quoted = "description: 'Released, or there was no lock in force.'"
        #expect(text.contains(quoted))
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nudge-openapi-broken-\(UUID().uuidString).yaml")
        try text.replacingOccurrences(of: quoted, with: "description: Released, or there was no lock in force.")
            .write(to: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: broken) }
        let result = try Self.validate(broken)
        #expect(result.status != 0)
        #expect(result.output.contains("or there was no lock in force."), "\(result.output)")
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

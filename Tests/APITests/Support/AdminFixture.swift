import API
import EngineCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NudgeRedis
import PostgresNIO
import Testing

/// A migrated database of the test's own with one API key per role (and a second editor and
/// publisher), and the admin routes wired to it, PostgreSQL's audit log and the test's Redis prefix.
struct AdminFixture: Sendable {
    let env: APITestEnvironment
    let postgres: PostgresClient
    let viewer: String
    let editor: String
    let otherEditor: String
    let publisher: String
    let otherPublisher: String
    let admin: String

    static func bearer(_ secret: String) -> HTTPFields { [.authorization: "Bearer \(secret)"] }

    /// Runs `body` with a test client of the API routes, admin routes included. Released held
    /// messages go to `outboundTopic` (create it first).
    static func run(
        _ label: String, config change: @escaping @Sendable (inout APIConfig) -> Void = { _ in },
        policy: ContactPolicy = .unrestricted, outboundTopic: String = "nudge.outbound",
        _ body: @escaping @Sendable (any TestClientProtocol, AdminFixture) async throws -> Void
    ) async throws {
        let env = try await APITestEnvironment(label)
        try await TestDatabase.withMigratedDatabase { postgres, _ in
            let store = PostgresAPIKeyStore(client: postgres, logger: TestDatabase.logger)
            let fixture = AdminFixture(
                env: env, postgres: postgres,
                viewer: try await store.create(name: "dashboard", role: .viewer).secret,
                editor: try await store.create(name: "ana", role: .editor).secret,
                otherEditor: try await store.create(name: "bo", role: .editor).secret,
                publisher: try await store.create(name: "cy", role: .publisher).secret,
                otherPublisher: try await store.create(name: "di", role: .publisher).secret,
                admin: try await store.create(name: "ops", role: .admin).secret)
            let config = APITestEnvironment.config {
                $0.keyCacheTTL = .seconds(60)
                change(&$0)
            }
            let admin = AdminDependencies(
                postgres: postgres, partitions: Int(APITestEnvironment.partitions), policy: policy,
                outboundTopic: outboundTopic, logger: TestDatabase.logger)
            try await env.withClient(
                config: config, keyStore: store,
                auditLog: PostgresAuditLog(client: postgres, logger: TestDatabase.logger),
                admin: admin
            ) { client in
                try await body(client, fixture)
            }
        }
    }

    /// Audit entries (actor, action, subject, detail) in order.
    func audit() async throws -> [(actor: String, action: String, subject: String, detail: String)] {
        let rows = try await postgres.query(
            "SELECT actor, action, subject, detail::text FROM audit_log ORDER BY id", logger: TestDatabase.logger)
        var entries: [(String, String, String, String)] = []
        for try await row in rows.decode((String, String, String, String).self) { entries.append(row) }
        return entries
    }

    var redis: RedisClient { env.redis() }
    var keyPrefix: String { env.keyPrefix }
}

extension TestClientProtocol {
    /// Sends a request with an API key and hands back the response.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, key: String?, body: String? = nil
    ) async throws -> TestResponse {
        try await execute(
            uri: uri, method: method, headers: key.map(AdminFixture.bearer) ?? [:],
            body: body.map { ByteBuffer(string: $0) }
        ) { $0 }
    }
}

/// A scenario file for tests: `greeter`, a wait then an email, a goal on `Order Completed`.
func greeterYAML(version: Int, template: String = "welcome", status: String = "active", wait: String = "1h") -> String {
    """
    id: greeter
    version: \(version)
    name: Greeter
    owner: tests
    status: \(status)
    trigger:
      event: Signed Up
    goals:
      - id: bought
        event: Order Completed
    start: pause
    steps:
      pause:
        wait: \(wait)
        next: hello
      hello:
        send:
          channel: email
          template: \(template)
        next: done
      done:
        end: {}
    """
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> [String: Value] { try jsonObject(self) }
}

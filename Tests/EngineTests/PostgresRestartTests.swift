import API
import AsyncHTTPClient
import EngineCore
import Foundation
import NIOCore
import NIOHTTP1
import NudgeTestSupport
import PostgresNIO
import Testing

@testable import NudgeApp

/// PostgreSQL crashing (immediate shutdown) under a running platform and coming back: the API
/// answers what needs it with 503 problem+json within its timeout (and `/ready` with 503) while
/// ingestion keeps serving; the dispatcher pauses at its batch and, after the restart, sends and
/// logs every message once; the admin API answers again.
@Suite("PostgreSQL restart", .serialized, .timeLimit(.minutes(4)))
struct PostgresRestartTests {
    static let writeKey = "wk_pg_restart_0123456789"

    @Test func theAPIAnswers503AndEverythingRecoversWhenPostgresIsBack() async throws {
        let services = try PrivateServices(["postgres"])
        defer { services.stop() }
        var setup = try await EngineTestEnvironment(
            "pg-restart", scenarios: ["crash.yaml": DispatcherCrashTests.scenario])
        setup.config.postgres = services.postgres
        setup.config.http.port = try FreePort.find()
        setup.config.api.writeKeys = [NamedKey(name: "tests", key: Self.writeKey)]
        setup.config.tracking.secret = "pg-restart-secret-0123456789"
        let env = setup
        let base = "http://127.0.0.1:\(env.config.http.port)"
        try await env.createTopics()

        let gateway = TestGateway()
        try await gateway.run { gateway in
            var config = env.config
            config.connectorsDirectory = try DispatcherCrashTests.connectors(baseURL: gateway.baseURL).path
            let app = try await NudgeApplication.build(config: config, components: .all, logger: env.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.run() }
                defer { group.cancelAll() }
                let ready = ContinuousClock.now + .seconds(60)
                while (try? await Self.call(.GET, "\(base)/ready"))?.status != .ok, ContinuousClock.now < ready {
                    try await Task.sleep(for: .milliseconds(200))
                }
                let admin = try await APIKeyAdministration.create(
                    postgres: env.config.postgres, name: "ops", role: .admin, actor: "test", logger: env.logger)
                let messages = "\(base)/v1/admin/customers/c-0/messages"

                func track(_ range: Range<Int>) async throws {
                    for index in range {
                        let body =
                            #"{"userId": "c-\#(index % 20)", "event": "Ticket Purchased", "messageId": "ticket-\#(index)", "#
                            + #""properties": {"ticket_id": "t-\#(index)", "draw_id": "d-1", "game": "Lotto"}}"#
                        let answer = try await Self.call(.POST, "\(base)/v1/track", body: body)
                        #expect(answer.status == .ok, "track \(index): \(answer.status) \(answer.body)")
                    }
                }
                var identities: [SegmentEvent] = []
                for index in 0..<20 {
                    identities.append(
                        SegmentEvent(
                            type: "identify", event: "", customerId: "c-\(index)",
                            traits: ["phone": .string("+49-\(index)")]))
                }
                let producer = try env.producer()
                try await env.send(identities, with: producer)
                await producer.shutdown()
                try await track(0..<50)
                let before = ContinuousClock.now + .seconds(30)
                while try await Self.loggedCount(env) < 50, ContinuousClock.now < before {
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(try await Self.call(.GET, messages, key: admin.secret).status == .ok)

                try services.crashPostgres()
                // Ingestion needs only Kafka: it keeps taking events, which the engine and the
                // dispatcher handle; only the message log has to wait.
                try await track(50..<100)
                let down = try await Self.call(.GET, messages, key: admin.secret)
                #expect(down.status == .serviceUnavailable, "\(down.status) \(down.body)")
                #expect(down.contentType == "application/problem+json")
                #expect(down.body[member: "status"] == 503)
                #expect(try await Self.call(.GET, "\(base)/ready").status == .serviceUnavailable)
                // The dispatcher finishes the batch in hand, then waits for the message log: sends
                // pause until PostgreSQL is back, nothing is lost or sent twice.
                try await Task.sleep(for: .seconds(3))
                let sentWhileDown = Set(gateway.requests.compactMap(\.idempotencyKey)).count
                try await Task.sleep(for: .seconds(2))
                try services.start("postgres")
                let recovered = ContinuousClock.now + .seconds(60)
                var answer = try await Self.call(.GET, messages, key: admin.secret)
                while answer.status != .ok, ContinuousClock.now < recovered {
                    try await Task.sleep(for: .milliseconds(250))
                    answer = try await Self.call(.GET, messages, key: admin.secret)
                }
                #expect(answer.status == .ok)
                while try await Self.loggedCount(env) < 100, ContinuousClock.now < recovered {
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(try await Self.call(.GET, "\(base)/ready").status == .ok)
                try await Task.sleep(for: .seconds(2))

                let requests = gateway.requests
                #expect(Set(requests.compactMap(\.idempotencyKey)).count == 100)
                #expect(requests.filter { $0.attempt == 1 }.count == 100, "no message sent twice")
                let statuses = try await TestPostgres.withClient(env.config.postgres) { client in
                    var statuses: [String: Int] = [:]
                    let rows = try await client.query(
                        "SELECT status, count(*) FROM messages GROUP BY status", logger: env.logger)
                    for try await (status, count) in rows.decode((String, Int).self) { statuses[status] = count }
                    return statuses
                }
                #expect(statuses == ["sent": 100])
                print(
                    "postgres restart test: \(sentWhileDown) of 100 messages sent while PostgreSQL was down, \(requests.count) provider calls for 100; admin 503 while down, 200 after"
                )
            }
        }
    }

    static func loggedCount(_ env: EngineTestEnvironment) async throws -> Int {
        (try? await TestPostgres.withClient(env.config.postgres) { client in
            let rows = try await client.query("SELECT count(*) FROM messages", logger: env.logger)
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }) ?? 0
    }

    static func call(
        _ method: HTTPMethod, _ url: String, key: String? = nil, body: String? = nil
    ) async throws -> (status: HTTPResponseStatus, contentType: String?, body: Value) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(
                name: "Authorization", value: "Basic \(Data("\(writeKey):".utf8).base64EncodedString())")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (
            response.status, response.headers.first(name: "content-type"),
            (try? JSONDecoder().decode(Value.self, from: Data(bytes.readableBytesView))) ?? .null
        )
    }
}

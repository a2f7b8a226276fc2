import API
import AsyncHTTPClient
import EngineCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NudgeApp
import NudgeKafka
import NudgeRedis
import NudgeTestSupport
import Testing

/// `nudge serve` as a process runs it: the HTTP API on a real port, migrations and topics at
/// start, the rules folder deployed, and the timeline recorder filling customers' timelines;
/// no engine.
@Suite("nudge serve, live", .serialized, .timeLimit(.minutes(3)))
struct ServeLiveTests {
    @Test func servesTheAPIAndRecordsTimelinesWithoutAnEngine() async throws {
        let name = "serve-\(UUID().uuidString.prefix(8).lowercased())"
        let rules = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-rules-\(name)")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try greeterYAML(version: 1).write(
            to: rules.appendingPathComponent("greeter.yaml"), atomically: true, encoding: .utf8)

        var config = try await serveProcessConfig(
            name: name, rules: rules.path, connectors: rules.appendingPathComponent("no-connectors").path)
        config.logLevel = .warning
        var logger = Logger(label: "nudge.tests.serve")
        logger.logLevel = .warning
        let base = "http://127.0.0.1:\(config.http.port)"

        let app = try await NudgeApplication.build(
            config: config, components: [.postgres, .serve, .timeline], logger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.run() }
                defer { group.cancelAll() }

                let deadline = ContinuousClock.now + .seconds(60)
                while (try? await Self.get("\(base)/ready"))?.status != .ok, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(try await Self.get("\(base)/ready").status == .ok)
                let key = try await APIKeyAdministration.create(
                    postgres: config.postgres, name: "ops", role: .admin, actor: "test", logger: logger)

                var track = HTTPClientRequest(url: "\(base)/v1/track")
                track.method = .POST
                track.headers.add(name: "Authorization", value: APITestEnvironment.basicAuth)
                track.headers.add(name: "Content-Type", value: "application/json")
                track.body = .bytes(
                    ByteBuffer(string: #"{"userId":"u-serve","event":"Signed Up","messageId":"serve-1"}"#))
                #expect(try await HTTPClient.shared.execute(track, timeout: .seconds(10)).status == .ok)

                var events: [Value] = []
                while events.isEmpty, ContinuousClock.now < deadline {
                    let (_, body) = try await Self.get("\(base)/v1/admin/customers/u-serve/timeline", key: key.secret)
                    if case .list(let list) = body[member: "events"] { events = list }
                    if events.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(events.map { $0[member: "event_id"] } == ["serve-1"])
                #expect(events.first?[member: "name"] == "Signed Up")

                // The rules folder was deployed at start; no engine ran, so no customer state.
                let (scenariosStatus, scenarios) = try await Self.get("\(base)/v1/admin/scenarios", key: key.secret)
                #expect(scenariosStatus == .ok)
                #expect(
                    scenarios[member: "scenarios"] == [
                        [
                            "id": "greeter", "active_version": 1, "status": "active", "versions": [1],
                            "updated_at": scenarios[member: "scenarios"][index: 0][member: "updated_at"],
                        ]
                    ])
                #expect(try await Self.get("\(base)/v1/admin/customers/u-serve", key: key.secret).status == .notFound)
            }
        } catch {
            await TestPostgres.drop(config.postgres)
            throw error
        }
        await TestPostgres.drop(config.postgres)
    }

    static func get(_ url: String, key: String? = nil) async throws -> (status: HTTPResponseStatus, body: Value) {
        var request = HTTPClientRequest(url: url)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let body = (try? JSONDecoder().decode(Value.self, from: Data(bytes.readableBytesView))) ?? .null
        return (response.status, body)
    }
}

extension Value {
    subscript(index index: Int) -> Value {
        if case .list(let items) = self, items.indices.contains(index) { return items[index] }
        return .null
    }
}

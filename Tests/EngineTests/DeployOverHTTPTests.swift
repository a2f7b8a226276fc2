import API
import AsyncHTTPClient
import EngineCore
import Foundation
import NIOCore
import NIOHTTP1
import NudgeTestSupport
import Testing

@testable import NudgeApp

/// A deploy through the admin API changes what a running engine does: `nudge run`'s engine and
/// HTTP API in one process, version 2 deployed over HTTP (under the editor's lock), new entries
/// get version 2 without a restart while an instance started on version 1 finishes on it.
@Suite("Deploying over HTTP to a running engine", .serialized, .timeLimit(.minutes(3)))
struct DeployOverHTTPTests {
    static func greeter(version: Int, template: String) -> String {
        DeployWhileRunningTests.greeter(version: version, template: template)
    }

    @Test func aVersionDeployedOverHTTPTakesOverNewEntriesWhileRunningInstancesKeepTheirs() async throws {
        var setup = try await EngineTestEnvironment(
            "deploy-http", scenarios: ["greeter.yaml": Self.greeter(version: 1, template: "welcome-v1")])
        let database = try await setup.useFreshDatabase()
        setup.config.http.port = try FreePort.find()
        let env = setup
        let base = "http://127.0.0.1:\(env.config.http.port)"
        try await env.createTopics()
        let producer = try env.producer()
        let app = try await NudgeApplication.build(
            config: env.config, components: [.postgres, .engine, .serve], logger: env.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }

            let ready = ContinuousClock.now + .seconds(60)
            while (try? await Self.call(.GET, "\(base)/ready"))?.status != .ok, ContinuousClock.now < ready {
                try await Task.sleep(for: .milliseconds(200))
            }
            let publisher = try await APIKeyAdministration.create(
                postgres: env.config.postgres, name: "release-bot", role: .publisher, actor: "test", logger: env.logger)

            try await env.send([SegmentEvent(event: "Signed Up", customerId: "early")], with: producer)
            var state: CustomerState?
            let entered = ContinuousClock.now + .seconds(30)
            while state?.instances.isEmpty ?? true, ContinuousClock.now < entered {
                state = try await env.customerState("early")
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(state?.instances.first?.version == 1)
            // The admin API shows the waiting instance with its version and step.
            let customer = try await Self.call(.GET, "\(base)/v1/admin/customers/early", key: publisher.secret)
            #expect(customer.body[member: "instances"][index: 0][member: "version"] == 1)
            #expect(customer.body[member: "instances"][index: 0][member: "step"] == "pause")

            // Lock, deploy version 2 based on version 1, release.
            #expect(
                try await Self.call(.POST, "\(base)/v1/admin/scenarios/greeter/lock", key: publisher.secret).status
                    == .ok)
            let deploy = try await Self.call(
                .POST, "\(base)/v1/admin/scenarios/greeter/versions?base_version=1", key: publisher.secret,
                body: Self.greeter(version: 2, template: "welcome-v2"))
            #expect(deploy.status == .created)
            #expect(deploy.body[member: "version"] == 2)
            #expect(
                try await Self.call(.DELETE, "\(base)/v1/admin/scenarios/greeter/lock", key: publisher.secret).status
                    == .noContent)

            // The engine polls the catalog revision (engine.catalog_reload_interval, 1 s).
            try await Task.sleep(for: .seconds(2))
            try await env.send([SegmentEvent(event: "Signed Up", customerId: "late")], with: producer)

            let sent = try await env.waitForOutbound(timeout: .seconds(30)) { $0.count >= 2 }
            let templates = Dictionary(
                uniqueKeysWithValues: sent.map { ($0[text: "customer_id"] ?? "", $0[text: "template"] ?? "") })
            #expect(templates == ["early": "welcome-v1", "late": "welcome-v2"])
            let versions = Dictionary(
                uniqueKeysWithValues: sent.map { ($0[text: "customer_id"] ?? "", $0["scenario_version"] ?? .null) })
            #expect(versions == ["early": 1, "late": 2])

            // And the report counts both entries.
            let report = try await Self.call(.GET, "\(base)/v1/admin/scenarios/greeter/report", key: publisher.secret)
            #expect(report.body[member: "totals"][member: "entered"] == 2)
        }
        await producer.shutdown()
        await TestPostgres.drop(database)
    }

    static func call(
        _ method: HTTPMethod, _ url: String, key: String? = nil, body: String? = nil
    ) async throws -> (status: HTTPResponseStatus, body: Value) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/yaml")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (response.status, (try? JSONDecoder().decode(Value.self, from: Data(bytes.readableBytesView))) ?? .null)
    }
}

extension Value {
    subscript(index index: Int) -> Value {
        if case .list(let items) = self, items.indices.contains(index) { return items[index] }
        return .null
    }
}

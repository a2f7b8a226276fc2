import EngineCore
import NudgeTestSupport
import Foundation
import Logging
import PostgresNIO
import ScenarioStore
import Testing

@testable import NudgeApp

/// `nudge run` deploys the rules folder to PostgreSQL and follows later deploys: a new version
/// reaches the running engine without a restart, and instances already running keep theirs.
@Suite("Deploying to a running engine", .serialized, .timeLimit(.minutes(3)))
struct DeployWhileRunningTests {
    static func greeter(version: Int, template: String) -> String {
        """
        id: greeter
        version: \(version)
        name: Greeter
        owner: tests
        status: active
        trigger:
          event: Signed Up
        start: pause
        steps:
          pause:
            wait: 3s
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

    @Test func aDeployedVersionTakesOverNewEntriesWhileRunningInstancesKeepTheirs() async throws {
        var setup = try await EngineTestEnvironment(
            "deploy", scenarios: ["greeter.yaml": Self.greeter(version: 1, template: "welcome-v1")])
        let database = try await setup.useFreshDatabase()
        let env = setup
        try await env.createTopics()
        let producer = try env.producer()
        let app = try await NudgeApplication.build(config: env.config, components: [.postgres, .engine], logger: env.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }

            try await env.send([SegmentEvent(event: "Signed Up", customerId: "early")], with: producer)
            // The early customer is waiting on version 1 when version 2 is deployed.
            var state: CustomerState?
            let entered = ContinuousClock.now + .seconds(30)
            while state?.instances.isEmpty ?? true, ContinuousClock.now < entered {
                state = try await env.customerState("early")
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(state?.instances.first?.version == 1)

            try await TestPostgres.withClient(env.config.postgres) { client in
                let store = PostgresScenarioStore(client: client, logger: env.logger)
                let outcome = try await store.deploy(
                    yaml: Self.greeter(version: 2, template: "welcome-v2"), file: "greeter.yaml", by: "test")
                #expect(outcome == .deployed(id: "greeter", version: 2))
            }
            try await Task.sleep(for: .seconds(2))
            try await env.send([SegmentEvent(event: "Signed Up", customerId: "late")], with: producer)

            let sent = try await env.waitForOutbound(timeout: .seconds(30)) { $0.count >= 2 }
            let templates = Dictionary(uniqueKeysWithValues: sent.map { ($0[text: "customer_id"] ?? "", $0[text: "template"] ?? "") })
            #expect(templates == ["early": "welcome-v1", "late": "welcome-v2"])
        }
        await producer.shutdown()
        await TestPostgres.drop(database)
    }
}

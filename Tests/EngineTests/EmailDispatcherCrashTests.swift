import EngineCore
import Foundation
import NudgeRedis
import NudgeTestSupport
import PostgresNIO
import Testing

/// Effectively once for email, which has no idempotency key: `nudge dispatch` processes are
/// killed (SIGKILL) right after the SMTP server accepted a message and before the ledger knew,
/// and at random moments. The ledger records each hand-over before DATA; a recovering
/// dispatcher that finds one unfinished applies the email connector's `on_unknown: hold`. No
/// message may reach the server twice; every message ends `sent` or `held`, and each held one
/// is visible as such in the message log and the ledger.
@Suite("Email dispatcher crash recovery", .serialized, .timeLimit(.minutes(6)))
struct EmailDispatcherCrashTests {
    static let scenario = """
        id: email-crash
        version: 1
        name: One email per application
        owner: tests
        status: active
        trigger:
          event: Draft Saved
        entry:
          key: event.properties.application_id
          once: true
        start: remind
        steps:
          remind:
            send:
              channel: email
              template: draft-application-reminder
              transactional: true
              variables:
                first_name: "'Ada'"
                service: "'Export licence'"
                application_id: event.properties.application_id
            next: done
          done:
            end: {}
        """

    @Test func killedEmailDispatchersHoldWhatTheyCannotKnowAndNeverSendTwice() async throws {
        var setup = try await EngineTestEnvironment("email-crash", scenarios: ["crash.yaml": Self.scenario])
        let database = try await setup.useFreshDatabase()
        let env = setup
        try await env.createTopics()
        let producer = try env.producer()
        let smtp = try await MailPeer.smtpServer()
        defer { smtp.stop() }

        let customers = 100
        let applications = 600
        let identities = (0..<customers).map { index in
            SegmentEvent(
                type: "identify", event: "", customerId: "c-\(index)",
                traits: ["email": .string("c\(index)@example.com")])
        }
        let events =
            identities
            + (0..<applications).map { index in
                SegmentEvent(
                    event: "Draft Saved", customerId: "c-\(index % customers)", messageId: "draft-\(index)",
                    properties: ["application_id": .string("a-\(index)")])
            }

        let childEnvironment = env.dispatchingChildEnvironment(
            connectors: try EngineTestEnvironment.smtpConnectorsDirectory(port: smtp.port), database: database,
            trackingSecret: "email-crash-secret-0123456789")

        let engine = try EngineProcess(environment: childEnvironment, label: "email-crash-engine")
        defer { engine.terminate() }
        let streaming = Task {
            for chunk in stride(from: 0, to: events.count, by: 100) {
                try await env.send(Array(events[chunk..<min(chunk + 100, events.count)]), with: producer)
                try await Task.sleep(for: .milliseconds(150))
            }
        }

        var crashing = childEnvironment
        crashing["NUDGE_FAILPOINTS"] = "after-provider-call=0.03,after-dispatch-batch=0.05"
        var killedAfterProviderCall = 0
        for crash in 0..<6 {
            let dispatcher = try EngineProcess(
                environment: crashing, label: "email-crash-\(crash)", command: "dispatch")
            let deadline = ContinuousClock.now + .seconds(60)
            while dispatcher.process.isRunning, !dispatcher.log.contains("partitions assigned"),
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...2_000)))
            dispatcher.kill9()
            if dispatcher.log.contains("failpoint after-provider-call") { killedAfterProviderCall += 1 }
        }
        try await streaming.value

        let survivor = try EngineProcess(environment: childEnvironment, label: "email-survivor", command: "dispatch")
        defer { survivor.terminate() }
        func statuses() async throws -> [String: String] {
            try await TestPostgres.withClient(database) { client in
                var statuses: [String: String] = [:]
                let rows = try await client.query("SELECT message_id, status FROM messages", logger: env.logger)
                for try await (id, status) in rows.decode((String, String).self) { statuses[id] = status }
                return statuses
            }
        }
        var log: [String: String] = [:]
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            log = try await statuses()
            if log.count == applications, log.values.allSatisfy({ $0 == "sent" || $0 == "held" }) { break }
            try survivor.checkRunning()
            try engine.checkRunning()
            try await Task.sleep(for: .milliseconds(250))
        }
        // Anything sent again late would show up here.
        try await Task.sleep(for: .seconds(3))

        let delivered = try smtp.accepted().compactMap { content in
            content.split(separator: "\r\n").first { $0.hasPrefix("X-Nudge-Message-Id: ") }
                .map { String($0.dropFirst("X-Nudge-Message-Id: ".count)) }
        }
        let counts = Dictionary(delivered.map { ($0, 1) }, uniquingKeysWith: +)
        let twice = counts.filter { $0.value > 1 }
        #expect(twice.isEmpty, "sent twice: \(twice.keys.sorted().prefix(5))")
        #expect(log.count == applications, "\(log.count) of \(applications) messages in the log")
        #expect(
            Set(log.values).isSubset(of: ["sent", "held"]),
            "\(Dictionary(log.map { ($0.value, 1) }, uniquingKeysWith: +))")
        let sent = log.filter { $0.value == "sent" }.map(\.key)
        let held = log.filter { $0.value == "held" }.map(\.key)
        #expect(sent.allSatisfy { counts[$0] == 1 }, "every message logged sent is at the server")
        if killedAfterProviderCall > 0 { #expect(!held.isEmpty, "a dispatcher died after the server took a message") }
        let heldAtServer = held.filter { counts[$0] == 1 }.count
        print(
            "email crash test: \(applications) messages, \(delivered.count) at the server, \(held.count) held (\(heldAtServer) of them at the server), \(killedAfterProviderCall) dispatchers died right after the server took one"
        )

        // The ledger says held too, with the reason an operator reads.
        if let one = held.first {
            let redis = env.redis()
            let reply = try await redis.send("HGETALL", "\(env.config.redisKeyPrefix):dispatch:{\(one)}")
            let fields = reply.array?.compactMap(\.string) ?? []
            #expect(fields.contains("held"), "\(fields)")
            #expect(fields.contains { $0.contains("on_unknown: hold") }, "\(fields)")
        }
        await producer.shutdown()
        await TestPostgres.drop(database)
    }
}

import EngineCore
import Foundation
import NudgeTestSupport
import PostgresNIO
import Testing

/// Effectively once at the far end: `nudge dispatch` processes kill themselves (SIGKILL) right
/// after a provider took a message and right after a batch was sent but not committed, while an
/// engine keeps producing. Every message must reach the gateway, and no customer may get one
/// twice: a replay either finds the message done in the dispatch ledger or resends it with the
/// same Idempotency-Key, which the gateway (like real ones) answers without sending again.
@Suite("Dispatcher crash recovery", .serialized, .timeLimit(.minutes(6)))
struct DispatcherCrashTests {
    static let scenario = """
        id: dispatch-crash
        version: 1
        name: One SMS per ticket
        owner: tests
        status: active
        trigger:
          event: Ticket Purchased
        entry:
          key: event.properties.ticket_id
          once: true
        start: confirm
        steps:
          confirm:
            send:
              channel: sms
              template: ticket-confirmation-sms
              transactional: true
              variables:
                game: event.properties.game
                draw_id: event.properties.draw_id
            next: done
          done:
            end: {}
        """

    static func connectors(baseURL: String) throws -> URL {
        let sms = """
            type: http
            channel: sms
            recipient: profile.phone
            http:
              url: \(baseURL)/v1/messages
              body: '{"to": "{{recipient}}", "text": "{{content.text}}", "reference": "{{message.id}}"}'
              response: {message_id: $.id}
            """
        return try EngineTestEnvironment.connectorsDirectory(["sms.yaml": sms])
    }

    @Test func killedDispatchersNeitherLoseNorRepeatAMessage() async throws {
        var setup = try await EngineTestEnvironment("dispatch-crash", scenarios: ["crash.yaml": Self.scenario])
        let database = try await setup.useFreshDatabase()
        let env = setup
        try await env.createTopics()
        let producer = try env.producer()

        let customers = 200
        let tickets = 1_500
        let identities = (0..<customers).map { index in
            SegmentEvent(
                type: "identify", event: "", customerId: "c-\(index)", traits: ["phone": .string("+420-\(index)")])
        }
        let events =
            identities
            + (0..<tickets).map { index in
                SegmentEvent(
                    event: "Ticket Purchased", customerId: "c-\(index % customers)", messageId: "ticket-\(index)",
                    properties: ["ticket_id": .string("t-\(index)"), "draw_id": "d-9", "game": "EuroJackpot"])
            }

        let gateway = TestGateway()
        try await gateway.run { gateway in
            var childEnvironment = env.dispatchingChildEnvironment(
                connectors: try Self.connectors(baseURL: gateway.baseURL), database: database,
                trackingSecret: "dispatch-crash-secret-0123456789")
            childEnvironment["NUDGE_DISPATCHER_GROUP_ID"] = "\(env.name)-dispatcher"

            let engine = try EngineProcess(environment: childEnvironment, label: "dispatch-crash-engine")
            defer { engine.terminate() }
            let streaming = Task {
                for chunk in stride(from: 0, to: events.count, by: 100) {
                    try await env.send(Array(events[chunk..<min(chunk + 100, events.count)]), with: producer)
                    try await Task.sleep(for: .milliseconds(150))
                }
            }

            // Dispatchers that die exactly where it hurts (a provider has the message, the ledger
            // does not know; a batch is sent and logged, its offsets not committed), and ones
            // killed from outside at a random moment.
            var crashing = childEnvironment
            crashing["NUDGE_FAILPOINTS"] = "after-provider-call=0.01,after-dispatch-batch=0.05"
            var killedByFailpoint = 0
            for crash in 0..<6 {
                let dispatcher = try EngineProcess(environment: crashing, label: "crash-\(crash)", command: "dispatch")
                let deadline = ContinuousClock.now + .seconds(60)
                while dispatcher.process.isRunning, !dispatcher.log.contains("partitions assigned"),
                    ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...2_000)))
                if !dispatcher.process.isRunning, dispatcher.log.contains("failpoint") { killedByFailpoint += 1 }
                dispatcher.kill9()
                #expect(
                    dispatcher.process.terminationReason == .uncaughtSignal, "dispatcher \(crash) exited on its own")
            }
            try await streaming.value

            let survivor = try EngineProcess(environment: childEnvironment, label: "survivor", command: "dispatch")
            defer { survivor.terminate() }
            let deadline = ContinuousClock.now + .seconds(120)
            while Set(gateway.requests.compactMap(\.idempotencyKey)).count < tickets, ContinuousClock.now < deadline {
                try survivor.checkRunning()
                try engine.checkRunning()
                try await Task.sleep(for: .milliseconds(250))
            }
            // Anything sent again late would show up here.
            try await Task.sleep(for: .seconds(3))

            let requests = gateway.requests
            let keys = requests.compactMap(\.idempotencyKey)
            #expect(keys.count == requests.count, "every provider call carries an Idempotency-Key")
            #expect(Set(keys).count == tickets, "the gateway saw \(Set(keys).count) distinct messages of \(tickets)")
            // One SMS per ticket: the texts the gateway would send (first attempt per key) are one
            // per ticket; repeats carry the key of a message already sent.
            let firstAttempts = requests.filter { $0.attempt == 1 }
            #expect(firstAttempts.count == tickets)
            let repeats = requests.count - firstAttempts.count
            print(
                "dispatcher crash test: \(requests.count) provider calls for \(tickets) messages, \(repeats) repeats answered by idempotency, \(killedByFailpoint) dispatchers died at a failpoint"
            )

            // The message log has every message once, sent.
            let statuses = try await TestPostgres.withClient(env.config.postgres) { client in
                var statuses: [String: Int] = [:]
                let rows = try await client.query(
                    "SELECT status, count(*) FROM messages GROUP BY status", logger: env.logger)
                for try await (status, count) in rows.decode((String, Int).self) { statuses[status] = count }
                return statuses
            }
            #expect(statuses == ["sent": tickets])
        }
        await producer.shutdown()
        await TestPostgres.drop(database)
    }
}

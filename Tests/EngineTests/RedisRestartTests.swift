import EngineCore
import Foundation
import NudgeRedis
import NudgeTestSupport
import PostgresNIO
import Testing

/// Redis killed (SIGKILL) in the middle of a run and started again from its AOF (appendfsync
/// everysec, as scripts/stack.sh configures it), with an engine and a dispatcher running on it
/// all along. They must recover on their own, and no customer may get a message twice or miss
/// one. Also measured: what a killed redis-server loses of the writes it acknowledged.
@Suite("Redis restart", .serialized, .timeLimit(.minutes(5)))
struct RedisRestartTests {
    @Test func theEngineAndDispatcherRecoverFromAKilledRedisWithoutDuplicates() async throws {
        let services = try PrivateServices(["redis"])
        defer { services.stop() }
        var setup = try await EngineTestEnvironment(
            "redis-restart", scenarios: ["crash.yaml": DispatcherCrashTests.scenario])
        setup.config.redis.port = services.redisPort
        let database = try await setup.useFreshDatabase()
        let env = setup
        try await env.createTopics()
        let producer = try env.producer()

        let customers = 200
        let tickets = 3_000
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
            let childEnvironment = env.dispatchingChildEnvironment(
                connectors: try DispatcherCrashTests.connectors(baseURL: gateway.baseURL), database: database,
                trackingSecret: "redis-restart-secret-0123456789")

            let engine = try EngineProcess(environment: childEnvironment, label: "redis-restart-engine")
            defer { engine.terminate() }
            let dispatcher = try EngineProcess(
                environment: childEnvironment, label: "redis-restart", command: "dispatch")
            defer { dispatcher.terminate() }
            let streaming = Task {
                for chunk in stride(from: 0, to: events.count, by: 100) {
                    try await env.send(Array(events[chunk..<min(chunk + 100, events.count)]), with: producer)
                    try await Task.sleep(for: .milliseconds(200))
                }
            }

            // Mid-stream: a writer of our own counts up while redis-server is killed under it.
            let started = ContinuousClock.now + .seconds(60)
            while gateway.requests.count < tickets / 5, ContinuousClock.now < started {
                try engine.checkRunning()
                try dispatcher.checkRunning()
                try await Task.sleep(for: .milliseconds(50))
            }
            let redis = RedisClient(config: env.config.redis, logger: env.logger)
            let marker = "\(env.config.redisKeyPrefix):marker"
            let writer = Task { () -> Int in
                var acknowledged = 0
                while true {
                    guard (try? await redis.send("SET", marker, String(acknowledged + 1))) != nil else {
                        return acknowledged
                    }
                    acknowledged += 1
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            try services.killRedis()
            let acknowledged = await writer.value
            let sentBeforeKill = Set(gateway.requests.compactMap(\.idempotencyKey)).count
            try await Task.sleep(for: .seconds(2))
            try services.start("redis")
            let survived = Int(try await redis.send("GET", marker).string ?? "") ?? -1
            #expect(
                survived == acknowledged, "the killed redis-server lost \(acknowledged - survived) acknowledged writes")

            try await streaming.value
            let deadline = ContinuousClock.now + .seconds(120)
            while Set(gateway.requests.compactMap(\.idempotencyKey)).count < tickets, ContinuousClock.now < deadline {
                try engine.checkRunning()
                try dispatcher.checkRunning()
                try await Task.sleep(for: .milliseconds(250))
            }
            // Anything sent again late would show up here.
            try await Task.sleep(for: .seconds(3))
            try engine.checkRunning()
            try dispatcher.checkRunning()

            let requests = gateway.requests
            let keys = requests.compactMap(\.idempotencyKey)
            #expect(Set(keys).count == tickets, "the gateway saw \(Set(keys).count) distinct messages of \(tickets)")
            #expect(requests.filter { $0.attempt == 1 }.count == tickets, "one message per ticket")
            let outbound = try await env.readAll(env.config.topics.outbound).count
            print(
                "redis restart test: killed with \(sentBeforeKill) of \(tickets) messages at the gateway; \(acknowledged) marker writes acknowledged, \(survived) after the restart; \(requests.count) provider calls (\(requests.count - Set(keys).count) repeats answered by idempotency); \(outbound) outbound records"
            )
            let statuses = try await TestPostgres.withClient(database) { client in
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

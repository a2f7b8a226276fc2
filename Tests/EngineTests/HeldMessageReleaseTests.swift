import API
import Dispatcher
import EngineCore
import Foundation
import SharedStores
import NudgeKafka
import NudgePostgres
import NudgeRedis
import NudgeTestSupport
import PostgresNIO
import Testing

@testable import NudgeApp

/// Operators release what `on_unknown: hold` kept, against the same harness as the email crash
/// test: `nudge dispatch` processes die (failpoint) right after the SMTP server took a message,
/// one message each, so the next one holds it. Then, through the admin API of `nudge run`'s
/// engine and API in this process: the held messages are listed; a resend reaches the server
/// exactly once more (a second resend and a replay of the record send nothing); mark-sent and
/// drop send nothing; erasing a customer takes its held message off the list.
@Suite("Releasing held messages", .serialized, .timeLimit(.minutes(8)))
struct HeldMessageReleaseTests {
    @Test func operatorsResendMarkSentDropAndEraseHeldEmailsOnceEach() async throws {
        var setup = try await EngineTestEnvironment(
            "held-release", scenarios: ["crash.yaml": EmailDispatcherCrashTests.scenario])
        let database = try await setup.useFreshDatabase()
        setup.config.http.port = try FreePort.find()
        let env = setup
        let base = "http://127.0.0.1:\(env.config.http.port)"
        try await env.createTopics()
        let producer = try env.producer()
        let smtp = try await MailPeer.smtpServer()
        defer { smtp.stop() }

        var childEnvironment = env.dispatchingChildEnvironment(
            connectors: try EngineTestEnvironment.smtpConnectorsDirectory(port: smtp.port), database: database,
            trackingSecret: "held-release-secret-0123456789")
        // One message at a time: each crashing dispatcher gets exactly one email out.
        childEnvironment["NUDGE_DISPATCHER_CONCURRENCY"] = "1"

        let app = try await NudgeApplication.build(
            config: env.config, components: [.postgres, .engine, .serve], logger: env.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            let ready = ContinuousClock.now + .seconds(60)
            while (try? await DeployOverHTTPTests.call(.GET, "\(base)/ready"))?.status != .ok,
                ContinuousClock.now < ready
            {
                try await Task.sleep(for: .milliseconds(200))
            }
            func key(_ name: String, _ role: APIRole) async throws -> String {
                try await APIKeyAdministration.create(
                    postgres: env.config.postgres, name: name, role: role, actor: "test", logger: env.logger
                ).secret
            }
            let viewer = try await key("dashboard", .viewer)
            let operator_ = try await key("ops-desk", .publisher)
            let admin = try await key("dpo", .admin)

            let customers = (0..<4).map { "c-\($0)" }
            try await env.send(
                customers.map {
                    SegmentEvent(
                        type: "identify", event: "", customerId: $0, traits: ["email": .string("\($0)@example.com")])
                }
                    + customers.enumerated().map { index, customer in
                        SegmentEvent(
                            event: "Draft Saved", customerId: customer, messageId: "draft-\(index)",
                            properties: ["application_id": .string("a-\(index)")])
                    },
                with: producer)

            // Each dispatcher dies right after the server accepted one email; the next holds it.
            var crashing = childEnvironment
            crashing["NUDGE_FAILPOINTS"] = "after-provider-call=1"
            for crash in 0..<customers.count {
                let dispatcher = try EngineProcess(
                    environment: crashing, label: "held-release-\(crash)", command: "dispatch")
                defer { dispatcher.terminate() }
                let deadline = ContinuousClock.now + .seconds(90)
                while dispatcher.process.isRunning, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(dispatcher.log.contains("failpoint after-provider-call"), "dispatcher \(crash) did not crash")
            }
            let survivor = try EngineProcess(
                environment: childEnvironment, label: "held-release-survivor", command: "dispatch")
            defer { survivor.terminate() }

            var log: [String: String] = [:]
            let settled = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < settled {
                log = try await Self.statuses(database, env)
                if log.count == customers.count, log.values.allSatisfy({ $0 == "held" }) { break }
                try survivor.checkRunning()
                try await Task.sleep(for: .milliseconds(250))
            }
            try #require(log.count == customers.count && log.values.allSatisfy { $0 == "held" }, "\(log)")
            #expect(try Self.deliveries(smtp).values.sorted() == [1, 1, 1, 1])

            // Listed, newest first, every customer's.
            let list = try await DeployOverHTTPTests.call(.GET, "\(base)/v1/admin/held-messages", key: viewer)
            #expect(list.status == .ok)
            let listed = Self.items(list.body)
            #expect(Set(listed.map(\.id)) == Set(log.keys))
            #expect(Set(listed.map(\.customer)) == Set(customers))
            let held = listed.map(\.id).sorted()
            let (resent, marked, dropped, erased) = (held[0], held[1], held[2], held[3])
            let erasedCustomer = try #require(listed.first { $0.id == erased }?.customer)

            // A viewer cannot act.
            let refused = try await DeployOverHTTPTests.call(
                .POST, "\(base)/v1/admin/held-messages/\(Self.path(resent))/resend", key: viewer)
            #expect(refused.status == .forbidden)

            // Resend: exactly one more email, and the ledger and the log say sent.
            let resend = try await DeployOverHTTPTests.call(
                .POST, "\(base)/v1/admin/held-messages/\(Self.path(resent))/resend", key: operator_)
            #expect(resend.status == .accepted)
            let ledger = DispatchLedger(redis: env.redis(), keyPrefix: env.config.redisKeyPrefix)
            let sentBy = ContinuousClock.now + .seconds(60)
            while try await ledger.entry(messageId: resent)?.status != .sent, ContinuousClock.now < sentBy {
                try survivor.checkRunning()
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await ledger.entry(messageId: resent)?.status == .sent)
            #expect(try Self.deliveries(smtp)[resent] == 2)
            let again = try await DeployOverHTTPTests.call(
                .POST, "\(base)/v1/admin/held-messages/\(Self.path(resent))/resend", key: operator_)
            #expect(again.status == .conflict)
            // A replay of the record after the send calls nobody.
            try await Self.replayOutbound(of: resent, env, producer)

            // Mark sent and drop: nothing is sent.
            let mark = try await DeployOverHTTPTests.call(
                .POST, "\(base)/v1/admin/held-messages/\(Self.path(marked))/mark-sent", key: operator_)
            #expect(mark.status == .ok)
            let markedEntry = try await ledger.entry(messageId: marked)
            #expect(markedEntry?.status == .sent && markedEntry?.reason == "marked sent by ops-desk")
            let drop = try await DeployOverHTTPTests.call(
                .POST, "\(base)/v1/admin/held-messages/\(Self.path(dropped))/drop", key: operator_)
            #expect(drop.status == .ok)
            #expect(try await ledger.entry(messageId: dropped)?.status == .dropped)

            let remaining = try await DeployOverHTTPTests.call(.GET, "\(base)/v1/admin/held-messages", key: viewer)
            #expect(Self.items(remaining.body).map(\.id) == [erased])

            // Erasing the customer takes its held message off the list (and out of the index).
            let erase = try await DeployOverHTTPTests.call(
                .DELETE, "\(base)/v1/admin/customers/\(erasedCustomer)", key: admin)
            #expect(erase.status == .ok)
            let afterErase = try await DeployOverHTTPTests.call(.GET, "\(base)/v1/admin/held-messages", key: viewer)
            #expect(Self.items(afterErase.body).isEmpty)
            let index = try await env.redis().send("ZCARD", "\(env.config.redisKeyPrefix):dispatch-held")
            #expect(index.int == 0)

            // Anything sent late would show up here.
            try await Task.sleep(for: .seconds(3))
            let deliveries = try Self.deliveries(smtp)
            #expect(deliveries == [resent: 2, marked: 1, dropped: 1, erased: 1])
            log = try await Self.statuses(database, env)
            #expect(log[resent] == "sent" && log[marked] == "sent" && log[dropped] == "unknown", "\(log)")
        }
        await producer.shutdown()
        await TestPostgres.drop(database)
    }

    /// A message id as a path segment: its slashes percent-encoded.
    static func path(_ messageId: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return messageId.addingPercentEncoding(withAllowedCharacters: allowed) ?? messageId
    }

    /// Message id -> how many times the SMTP server accepted it.
    static func deliveries(_ smtp: MailPeer) throws -> [String: Int] {
        let ids = try smtp.accepted().compactMap { content in
            content.split(separator: "\r\n").first { $0.hasPrefix("X-Nudge-Message-Id: ") }
                .map { String($0.dropFirst("X-Nudge-Message-Id: ".count)) }
        }
        return Dictionary(ids.map { ($0, 1) }, uniquingKeysWith: +)
    }

    static func statuses(_ database: PostgresConfig, _ env: EngineTestEnvironment) async throws -> [String: String] {
        try await TestPostgres.withClient(database) { client in
            var statuses: [String: String] = [:]
            let rows = try await client.query("SELECT message_id, status FROM messages", logger: env.logger)
            for try await (id, status) in rows.decode((String, String).self) { statuses[id] = status }
            return statuses
        }
    }

    static func items(_ page: Value) -> [(id: String, customer: String)] {
        guard case .list(let items) = page[member: "messages"] else { return [] }
        return items.compactMap { item in
            guard let id = item[member: "message_id"].stringValue,
                let customer = item[member: "customer_id"].stringValue
            else { return nil }
            return (id, customer)
        }
    }

    /// Produces the message's outbound record once more, as a replay would, and gives the
    /// dispatcher time to (not) send it.
    static func replayOutbound(of messageId: String, _ env: EngineTestEnvironment, _ producer: KafkaProducer)
        async throws
    {
        let reader = try KafkaPartitionReader(config: env.config.kafka, logger: env.logger)
        var found: KafkaMessage?
        do {
            for partition in 0..<Int32(env.config.topics.partitions) where found == nil {
                found = try await reader.readAll(topic: env.config.topics.outbound, partition: partition, from: 0)
                    .first { String(decoding: $0.value, as: UTF8.self).contains("\"\(messageId)\"") }
            }
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        let record = try #require(found)
        _ = try await producer.send(
            topic: env.config.topics.outbound, key: record.key ?? [], value: record.value, partition: record.partition)
        try await Task.sleep(for: .seconds(2))
    }
}

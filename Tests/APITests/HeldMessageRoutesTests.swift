import API
import Dispatcher
import EngineCore
import Foundation
import SharedStores
import HummingbirdTesting
import NudgeKafka
import Testing

/// `/v1/admin/held-messages` against the local Redis, PostgreSQL and Kafka: held messages are
/// put in the ledger the way a recovering dispatcher holds them (`begin`, hand-over, `hold`).
@Suite("Held message routes", .serialized, .timeLimit(.minutes(2)))
struct HeldMessageRoutesTests {
    static func ledger(_ fixture: AdminFixture) -> DispatchLedger {
        DispatchLedger(redis: fixture.redis, keyPrefix: fixture.keyPrefix)
    }

    /// Holds a message of `customer` as `on_unknown: hold` does, held `at` ms after the epoch.
    static func hold(
        _ messageId: String, customer: String, at: Int64, record: String = "{}", in ledger: DispatchLedger
    ) async throws {
        _ = try await ledger.begin(
            messageId: messageId, customerId: customer, channel: "email", scenario: "greeter", step: "hello",
            topic: nil)
        try await ledger.markHandingOver(messageId: messageId, connector: "email")
        try await ledger.hold(
            messageId: messageId, connector: "email",
            reason: "outcome unknown: a dispatcher stopped while handing it to email; held",
            record: Array(record.utf8), at: Timestamp(milliseconds: at))
    }

    static func ids(_ page: [String: Value]) -> [String] {
        guard case .list(let items) = page["messages"] ?? .null else { return [] }
        return items.compactMap { item in
            if case .object(let fields) = item, case .string(let id) = fields["message_id"] ?? .null { id } else { nil }
        }
    }

    @Test func viewersListHeldMessagesNewestFirstInPagesAndOnlyPublishersAct() async throws {
        try await AdminFixture.run("held-list") { client, fixture in
            let ledger = Self.ledger(fixture)
            try await Self.hold("m-old", customer: "c-1", at: 1_000, in: ledger)
            try await Self.hold("m-mid", customer: "c-2", at: 2_000, in: ledger)
            try await Self.hold("m-new", customer: "c-1", at: 3_000, in: ledger)

            let all = try await client.send(.get, "/v1/admin/held-messages", key: fixture.viewer)
            #expect(all.status == .ok)
            let page = try all.json()
            #expect(Self.ids(page) == ["m-new", "m-mid", "m-old"])
            #expect(page["next_before"] == nil)
            guard case .list(let items) = page["messages"] ?? .null, case .object(let newest) = items.first ?? .null
            else {
                throw TestFailure("no messages in \(all.text)")
            }
            #expect(newest["customer_id"] == "c-1")
            #expect(newest["channel"] == "email")
            #expect(newest["scenario"] == "greeter")
            #expect(newest["step"] == "hello")
            #expect(newest["connector"] == "email")
            #expect(newest["attempts"] == 1)
            #expect(newest["held_at"] == "1970-01-01T00:00:03Z")
            #expect(newest["reason"]?.stringValue?.hasPrefix("outcome unknown") == true)

            let first = try await client.send(.get, "/v1/admin/held-messages?limit=2", key: fixture.viewer).json()
            #expect(Self.ids(first) == ["m-new", "m-mid"])
            let cursor = try #require(first["next_before"]?.stringValue)
            let second = try await client.send(
                .get, "/v1/admin/held-messages?limit=2&before=\(cursor)", key: fixture.viewer
            ).json()
            #expect(Self.ids(second) == ["m-old"])
            #expect(second["next_before"] == nil)
            let badCursor = try await client.send(.get, "/v1/admin/held-messages?before=x", key: fixture.viewer)
            #expect(badCursor.status == .badRequest)

            for action in ["resend", "mark-sent", "drop"] {
                for key in [fixture.viewer, fixture.editor] {
                    let refused = try await client.send(.post, "/v1/admin/held-messages/m-new/\(action)", key: key)
                    #expect(refused.status == .forbidden, "\(action)")
                }
                let anonymous = try await client.send(.post, "/v1/admin/held-messages/m-new/\(action)", key: nil)
                #expect(anonymous.status == .unauthorized)
            }
            #expect(try await ledger.entry(messageId: "m-new")?.status == .held)
            #expect(try await fixture.audit().isEmpty)
        }
    }

    @Test func markSentAndDropLeaveHeldOnceAndRefuseUnknownOrFinishedMessages() async throws {
        try await AdminFixture.run("held-actions") { client, fixture in
            let ledger = Self.ledger(fixture)
            try await Self.hold("m-1", customer: "c-1", at: 1_000, in: ledger)
            try await Self.hold("m-2", customer: "c-2", at: 2_000, in: ledger)

            let unknown = try await client.send(.post, "/v1/admin/held-messages/nope/mark-sent", key: fixture.publisher)
            #expect(unknown.status == .notFound)
            #expect(problem(unknown)?.type == "urn:nudge:problem:not-found")

            let marked = try await client.send(.post, "/v1/admin/held-messages/m-1/mark-sent", key: fixture.publisher)
            #expect(marked.status == .ok)
            #expect(try marked.json()["status"] == "sent")
            #expect(try marked.json()["reason"] == "marked sent by cy")
            let entry = try #require(try await ledger.entry(messageId: "m-1"))
            #expect(entry.status == .sent && entry.reason == "marked sent by cy")

            for action in ["mark-sent", "drop", "resend"] {
                let again = try await client.send(
                    .post, "/v1/admin/held-messages/m-1/\(action)", key: fixture.otherPublisher)
                #expect(again.status == .conflict, "\(action)")
                #expect(problem(again)?.type == "urn:nudge:problem:not-held")
                #expect(problem(again)?.detail.contains("its status is sent") == true)
            }

            let dropped = try await client.send(.post, "/v1/admin/held-messages/m-2/drop", key: fixture.admin)
            #expect(dropped.status == .ok)
            #expect(try dropped.json()["status"] == "dropped")
            #expect(try await ledger.entry(messageId: "m-2")?.reason == "dropped by ops")
            #expect(
                try await client.send(.post, "/v1/admin/held-messages/m-2/mark-sent", key: fixture.admin).status
                    == .conflict)

            let list = try await client.send(.get, "/v1/admin/held-messages", key: fixture.viewer).json()
            #expect(Self.ids(list).isEmpty)
            let audit = try await fixture.audit()
            #expect(audit.map(\.action) == ["message.mark_sent", "message.drop"])
            #expect(audit.map(\.actor) == ["cy", "ops"])
            #expect(audit.map(\.subject) == ["message:m-1", "message:m-2"])
            #expect(audit.allSatisfy { !$0.detail.contains("c-1") && !$0.detail.contains("c-2") })

            // The message log has the operator's word.
            let rows = try await fixture.postgres.query(
                "SELECT message_id, status, reason FROM message_status_history ORDER BY message_id",
                logger: TestDatabase.logger)
            var history: [String] = []
            for try await (id, status, reason) in rows.decode((String, String, String?).self) {
                history.append("\(id) \(status) \(reason ?? "")")
            }
            #expect(history == ["m-1 sent marked sent by cy", "m-2 unknown dropped by ops"])
        }
    }

    @Test func resendPutsTheHeldRecordBackOnTheOutboundTopicOnce() async throws {
        let environment = ProcessInfo.processInfo.environment
        let kafka = KafkaConfig(
            brokers: (environment["NUDGE_KAFKA_BROKERS"] ?? "127.0.0.1:19092").split(separator: ",").map(String.init))
        let outbound = "held-resend-\(UUID().uuidString.prefix(8).lowercased()).outbound"
        let admin = try KafkaAdmin(config: kafka, logger: TestDatabase.logger)
        try await admin.createTopics([KafkaTopicSpec(name: outbound, partitions: 1)])
        await admin.shutdown()

        try await AdminFixture.run("held-resend", outboundTopic: outbound) { client, fixture in
            let ledger = Self.ledger(fixture)
            let record = #"{"message_id":"greeter/1/i-1/hello/1","customer_id":"c-9","policy":"sent"}"#
            try await Self.hold("greeter/1/i-1/hello/1", customer: "c-9", at: 5_000, record: record, in: ledger)
            let path = "/v1/admin/held-messages/greeter%2F1%2Fi-1%2Fhello%2F1"

            let resent = try await client.send(
                .post, "\(path)/resend", key: fixture.publisher)
            #expect(resent.status == .accepted)
            #expect(try resent.json()["status"] == "released")
            #expect(try resent.json()["reason"] == "released for resend by cy")
            let again = try await client.send(
                .post, "\(path)/resend", key: fixture.publisher)
            #expect(again.status == .conflict)
            #expect(problem(again)?.detail.contains("its status is released") == true)

            let reader = try KafkaPartitionReader(config: kafka, logger: TestDatabase.logger)
            let records = try await reader.readAll(topic: outbound, partition: 0, from: 0)
            await reader.close()
            #expect(records.count == 1)
            #expect(records.first.map { String(decoding: $0.value, as: UTF8.self) } == record)
            #expect(records.first?.key == Array("c-9".utf8))

            // (Real message ids hold slashes, sent as %2F.) The dispatcher takes the released
            // message like a fresh one, once.
            let begin = try await ledger.begin(
                messageId: "greeter/1/i-1/hello/1", customerId: "c-9", channel: "email", scenario: "greeter",
                step: "hello", topic: nil)
            #expect(begin == .proceed(attempt: 2))
            #expect(
                Self.ids(try await client.send(.get, "/v1/admin/held-messages", key: fixture.viewer).json()).isEmpty)
            #expect(try await fixture.audit().map(\.action) == ["message.resend"])
        }
    }
}

import API
import Dispatcher
import Engine
import EngineCore
import Foundation
import SharedStores
import NudgeRecords
import ProcessSupport
import Hummingbird
import HummingbirdTesting
import NudgeRedis
import PostgresNIO
import Testing
import Timeline

/// `/v1/admin/customers/{id}...`: profile and instances from Redis, messages and timeline from
/// PostgreSQL, and the erase across both.
@Suite("Admin API: customers", .serialized, .timeLimit(.minutes(2)))
struct AdminCustomerRoutesTests {
    @Test func profileAndRunningInstancesComeFromTheEngineState() async throws {
        try await AdminFixture.run("customer-profile") { client, fixture in
            let keys = RedisKeys(prefix: fixture.keyPrefix)
            try await CustomerSeeding.redis("c-1", keys: keys, redis: fixture.redis)
            _ = try await fixture.redis.send("HSET", keys.customer("anon-9"), RedisKeys.aliasField, "c-1")

            let response = try await client.send(.get, "/v1/admin/customers/c-1", key: fixture.viewer)
            #expect(response.status == .ok)
            let body = try response.json()
            #expect(body["customer_id"] == "c-1")
            #expect(
                body["profile"] == [
                    "first_name": "Ada", "email": "ada@example.com", "signed_up_at": "2026-01-01T08:00:00Z",
                ])
            guard case .list(let instances)? = body["instances"] else { throw TestFailure("no instances") }
            #expect(instances.map { $0[member: "scenario"] } == ["greeter", "cart"])
            #expect(instances.map { $0[member: "version"] } == [1, 2])
            #expect(instances.map { $0[member: "step"] } == ["pause", "remind"])
            #expect(instances.first?[member: "waiting_until"] == "2026-01-01T09:00:00Z")
            #expect(instances.last?[member: "key"] == "order-7")

            let merged = try await client.send(.get, "/v1/admin/customers/anon-9", key: fixture.viewer)
            #expect(try merged.json()["merged_into"] == "c-1")

            let unknown = try await client.send(.get, "/v1/admin/customers/nobody", key: fixture.viewer)
            #expect(unknown.status == .notFound)
            #expect(problem(unknown)?.type == "urn:nudge:problem:not-found")
            #expect(problem(unknown)?.detail.contains("nobody") == false)
            let tooLong = try await client.send(
                .get, "/v1/admin/customers/\(String(repeating: "x", count: 300))", key: fixture.viewer)
            #expect(tooLong.status == .badRequest)
            for uri in [
                "/v1/admin/customers/c-1", "/v1/admin/customers/c-1/messages", "/v1/admin/customers/c-1/timeline",
            ] {
                #expect(try await client.send(.get, uri, key: nil).status == .unauthorized)
                #expect(try await client.send(.get, uri, key: "nk_wrong").status == .unauthorized)
            }
        }
    }

    @Test func messagesWithTheirStatusHistoryNewestFirst() async throws {
        try await AdminFixture.run("customer-messages") { client, fixture in
            let log = PostgresMessageLog(client: fixture.postgres, logger: TestDatabase.logger)
            try await CustomerSeeding.message(
                "m-1", customer: "c-1", statuses: [(.queued, nil), (.sent, nil), (.delivered, nil), (.clicked, nil)],
                at: CustomerSeeding.at(minutes: 0), log: log)
            try await CustomerSeeding.message(
                "m-2", customer: "c-1", step: "nudge", statuses: [(.suppressed, "cap:daily")],
                at: CustomerSeeding.at(minutes: 30), log: log)
            try await CustomerSeeding.message(
                "m-3", customer: "c-2", statuses: [(.sent, nil)], at: CustomerSeeding.at(minutes: 10), log: log)

            let response = try await client.send(.get, "/v1/admin/customers/c-1/messages", key: fixture.viewer)
            #expect(response.status == .ok)
            guard case .list(let messages)? = try response.json()["messages"] else { throw TestFailure("no list") }
            #expect(messages.map { $0[member: "message_id"] } == ["m-2", "m-1"])
            #expect(messages.map { $0[member: "status"] } == ["suppressed", "clicked"])
            #expect(messages.first?[member: "reason"] == "cap:daily")
            guard case .list(let history)? = messages.last?[member: "history"] else { throw TestFailure("no history") }
            #expect(history.map { $0[member: "status"] } == ["queued", "sent", "delivered", "clicked"])
            #expect(history.last?[member: "detail"] == ["url": "https://shop.example/sale"])
            #expect(history[1][member: "connector"] == "smtp")

            let page = try await client.send(
                .get, "/v1/admin/customers/c-1/messages?limit=1&before=2026-01-01T08:20:00Z", key: fixture.viewer)
            guard case .list(let older)? = try page.json()["messages"] else { throw TestFailure("no list") }
            #expect(older.map { $0[member: "message_id"] } == ["m-1"])

            let none = try await client.send(.get, "/v1/admin/customers/nobody/messages", key: fixture.viewer)
            #expect(try none.json()["messages"] == [])
            for query in ["limit=0", "limit=abc", "limit=501", "before=yesterday"] {
                let bad = try await client.send(.get, "/v1/admin/customers/c-1/messages?\(query)", key: fixture.viewer)
                #expect(bad.status == .badRequest, "\(query)")
                #expect(problem(bad)?.type == "urn:nudge:problem:invalid-request")
            }
        }
    }

    @Test func timelineInARange() async throws {
        try await AdminFixture.run("customer-timeline") { client, fixture in
            let timeline = PostgresTimeline(client: fixture.postgres, logger: TestDatabase.logger)
            try await timeline.record([
                CustomerSeeding.timelineEntry(customer: "c-1", event: "e-1", at: CustomerSeeding.at(minutes: 0)),
                CustomerSeeding.timelineEntry(
                    customer: "c-1", event: "e-2", kind: .identify, anonymousId: "anon-1",
                    at: CustomerSeeding.at(minutes: 1)),
                CustomerSeeding.timelineEntry(
                    customer: "c-1", event: "fb:opened:m-1", name: "Message Opened", source: .feedback,
                    at: CustomerSeeding.at(minutes: 2), properties: ["message_id": "m-1"]),
                CustomerSeeding.timelineEntry(customer: "c-2", event: "e-3", at: CustomerSeeding.at(minutes: 3)),
            ])
            let all = try await client.send(
                .get, "/v1/admin/customers/c-1/timeline?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z",
                key: fixture.viewer)
            #expect(all.status == .ok)
            guard case .list(let events)? = try all.json()["events"] else { throw TestFailure("no events") }
            #expect(events.map { $0[member: "event_id"] } == ["fb:opened:m-1", "e-2", "e-1"])
            #expect(events.first?[member: "source"] == "feedback")
            #expect(events.first?[member: "properties"] == ["message_id": "m-1"])
            #expect(events[1][member: "kind"] == "identify")
            #expect(events[1][member: "anonymous_id"] == "anon-1")
            #expect(events.last?[member: "at"] == "2026-01-01T08:00:00Z")

            let window = try await client.send(
                .get, "/v1/admin/customers/c-1/timeline?from=2026-01-01T08:01:00Z&to=2026-01-01T08:02:00Z&limit=5",
                key: fixture.viewer)
            guard case .list(let one)? = try window.json()["events"] else { throw TestFailure("no events") }
            #expect(one.map { $0[member: "event_id"] } == ["e-2"])
            // The default range is the last 30 days: these are older.
            let recent = try await client.send(.get, "/v1/admin/customers/c-1/timeline", key: fixture.viewer)
            #expect(try recent.json()["events"] == [])
            for query in ["from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from=soon", "limit=1001"] {
                let bad = try await client.send(.get, "/v1/admin/customers/c-1/timeline?\(query)", key: fixture.viewer)
                #expect(bad.status == .badRequest, "\(query)")
            }
        }
    }

    @Test func eraseRemovesTheCustomerEverywhereOnceAndIsAudited() async throws {
        try await AdminFixture.run("customer-erase") { client, fixture in
            let keys = RedisKeys(prefix: fixture.keyPrefix)
            let redis = fixture.redis
            try await CustomerSeeding.redis("c-1", keys: keys, redis: redis)
            try await CustomerSeeding.redis("c-2", keys: keys, redis: redis, partition: 0, others: 0)
            // An anonymous visitor merged into c-1, and one merged into someone else.
            _ = try await redis.send("HSET", keys.customer("anon-1"), RedisKeys.aliasField, "c-1")
            _ = try await redis.send("HSET", keys.slots("anon-1"), "home_hero", "{}")
            _ = try await redis.send("HSET", keys.customer("anon-2"), RedisKeys.aliasField, "c-2")
            let ledger = DispatchLedger(redis: redis, keyPrefix: fixture.keyPrefix)
            for (id, customer) in [("m-1", "c-1"), ("m-3", "c-2")] {
                _ = try await ledger.begin(
                    messageId: id, customerId: customer, channel: "email", scenario: "greeter", step: "hello",
                    topic: nil)
                try await ledger.complete(
                    messageId: id, status: .sent, connector: "smtp", providerMessageId: "p-\(id)", reason: nil)
            }
            let log = PostgresMessageLog(client: fixture.postgres, logger: TestDatabase.logger)
            try await CustomerSeeding.message(
                "m-1", customer: "c-1", statuses: [(.sent, nil), (.opened, nil)], at: CustomerSeeding.at(minutes: 0),
                log: log)
            try await CustomerSeeding.message(
                "m-2", customer: "anon-1", statuses: [(.sent, nil)], at: CustomerSeeding.at(minutes: 1), log: log)
            try await CustomerSeeding.message(
                "m-3", customer: "c-2", statuses: [(.sent, nil)], at: CustomerSeeding.at(minutes: 2), log: log)
            try await PostgresTimeline(client: fixture.postgres, logger: TestDatabase.logger).record([
                CustomerSeeding.timelineEntry(
                    customer: "anon-1", event: "e-0", name: "Viewed", at: CustomerSeeding.at(minutes: 0)),
                CustomerSeeding.timelineEntry(
                    customer: "c-1", event: "e-1", kind: .identify, anonymousId: "anon-1",
                    at: CustomerSeeding.at(minutes: 1)),
                CustomerSeeding.timelineEntry(customer: "c-1", event: "e-2", at: CustomerSeeding.at(minutes: 2)),
                CustomerSeeding.timelineEntry(customer: "c-2", event: "e-3", at: CustomerSeeding.at(minutes: 3)),
            ])

            // Only admins erase.
            for key in [fixture.viewer, fixture.editor, fixture.publisher] {
                #expect(try await client.send(.delete, "/v1/admin/customers/c-1", key: key).status == .forbidden)
            }
            #expect(try await client.send(.delete, "/v1/admin/customers/c-1", key: nil).status == .unauthorized)

            let erased = try await client.send(.delete, "/v1/admin/customers/c-1", key: fixture.admin)
            #expect(erased.status == .ok)
            #expect(
                try erased.json()["erased"]
                    == [
                        "redis_keys": 5,  // state, slots, outbox; anon-1's alias and slots
                        "timers": 2, "instances": 2, "ledger_entries": 2, "anonymous_ids": 1,
                        "messages": 2, "message_statuses": 3, "timeline_events": 3,
                    ])

            // Redis: nothing of c-1 or anon-1 left, counters without its instances, c-2 untouched.
            for key in [
                keys.customer("c-1"), keys.slots("c-1"), keys.outbox("c-1", partition: 1), keys.customer("anon-1"),
                keys.slots("anon-1"),
            ] {
                #expect(try await redis.send("EXISTS", key).int == 0, "\(key)")
            }
            #expect(try await redis.send("EXISTS", keys.customer("c-2")).int == 1)
            #expect(try await redis.send("EXISTS", keys.customer("anon-2")).int == 1)
            let timers = try await redis.send("ZRANGE", keys.timers(partition: 1), 0, -1).array ?? []
            #expect(timers.isEmpty)
            #expect((try await redis.send("ZRANGE", keys.timers(partition: 0), 0, -1).array ?? []).count == 2)
            #expect(try await redis.send("SISMEMBER", keys.pendingOutbox(partition: 1), "c-1").int == 0)
            // c-2's instances and 3 others are still waiting.
            #expect(try await redis.send("HGET", keys.reportNow(scenario: "greeter"), "waiting|pause").int == 4)
            #expect(try await redis.send("HGET", keys.reportNow(scenario: "cart"), "waiting|remind").int == 1)
            #expect(try await redis.send("HGET", keys.stats, "instances_active").int == 5)
            #expect(try await ledger.entry(messageId: "m-1") == nil)
            #expect(try await ledger.messageId(connector: "smtp", providerMessageId: "p-m-1") == nil)
            #expect(try await ledger.entry(messageId: "m-3") != nil)

            // PostgreSQL: only c-2's rows remain.
            for table in ["messages", "message_status_history", "customer_timeline"] {
                let rows = try await fixture.postgres.query(
                    PostgresQuery(unsafeSQL: "SELECT DISTINCT customer_id FROM \(table)"), logger: TestDatabase.logger)
                var customers: [String] = []
                for try await customer in rows.decode(String.self) { customers.append(customer) }
                #expect(customers == ["c-2"], "\(table)")
            }
            #expect(try await client.send(.get, "/v1/admin/customers/c-1", key: fixture.viewer).status == .notFound)

            // Again: nothing left to erase, and the counters do not move a second time.
            let again = try await client.send(.delete, "/v1/admin/customers/c-1", key: fixture.admin)
            #expect(again.status == .ok)
            guard case .object(let counts)? = try again.json()["erased"] else { throw TestFailure("no counts") }
            #expect(counts.values.allSatisfy { $0 == 0 })
            #expect(try await redis.send("HGET", keys.stats, "instances_active").int == 5)

            // The audit names the customer only by a digest of the id.
            let audit = try await fixture.audit().filter { $0.action == "customer.erase" }
            #expect(audit.count == 2)
            #expect(audit.allSatisfy { $0.actor == "ops" && $0.subject == CustomerEraserDigest.subject("c-1") })
            #expect(
                audit.allSatisfy {
                    !$0.subject.contains("c-1") && !$0.detail.contains("c-1") && !$0.detail.contains("anon-1")
                })
            #expect(audit.first?.detail.contains("\"timeline_events\": 3") == true)
        }
    }
}

/// The audit subject of an erase, computed as the server does (SHA-256 of the id, hex).
enum CustomerEraserDigest {
    static func subject(_ id: String) -> String {
        "customer:sha256:" + APIKeySecret.hash(id)
    }
}

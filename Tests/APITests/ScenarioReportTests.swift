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
import Testing

@testable import API

/// `GET /v1/admin/scenarios/{id}/report`: the engine's hour buckets and live counters from Redis,
/// message outcomes from the message log, per step and per hour, within the range.
@Suite("Admin API: scenario reports", .serialized, .timeLimit(.minutes(2)))
struct ScenarioReportTests {
    @Test func hourBucketsAreNamedAsTheEngineNamesThem() {
        let from = Date(timeIntervalSince1970: 1_767_256_200)  // 2026-01-01T08:30:00Z
        let hours = ScenarioReportBuilder.hours(from: from, to: from.addingTimeInterval(5400))
        #expect(hours.map(ScenarioReportBuilder.bucket) == ["2026010108", "2026010109"])
        #expect(ScenarioReportBuilder.hours(from: from, to: from.addingTimeInterval(1800)).count == 1)
    }

    @Test func reportCountsPerStepAndHourWithinTheRange() async throws {
        try await AdminFixture.run("report") { client, fixture in
            _ = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: fixture.publisher, body: greeterYAML(version: 1))
            let keys = RedisKeys(prefix: fixture.keyPrefix)
            let commands = [
                RedisCommand(
                    "HSET", keys.report(scenario: "greeter", hour: "2026010108"), "entered|pause", 3,
                    "completed|goal:bought|pause", 1),
                RedisCommand(
                    "HSET", keys.report(scenario: "greeter", hour: "2026010109"), "entered|pause", 2,
                    "completed|end|done", 1,
                    "completed|exit:unsubscribed|hello", 1),
                RedisCommand("HSET", keys.report(scenario: "greeter", hour: "2026010110"), "entered|pause", 50),
                RedisCommand("HSET", keys.reportNow(scenario: "greeter"), "waiting|pause", 4, "waiting|hello", 0),
                RedisCommand("HSET", keys.report(scenario: "cart", hour: "2026010108"), "entered|start", 9),
            ]
            for reply in try await fixture.redis.pipeline(commands) { _ = try reply.throwingError() }
            let log = PostgresMessageLog(client: fixture.postgres, logger: TestDatabase.logger)
            let at = CustomerSeeding.at
            try await CustomerSeeding.message(
                "m-1", customer: "c-1", statuses: [(.sent, nil), (.delivered, nil), (.opened, nil), (.clicked, nil)],
                at: at(40), log: log)
            try await CustomerSeeding.message(
                "m-2", customer: "c-2", statuses: [(.suppressed, "cap:daily")], at: at(70), log: log)
            try await CustomerSeeding.message(
                "m-3", customer: "c-3", statuses: [(.suppressed, "quiet_hours")], at: at(80), log: log)
            try await CustomerSeeding.message(
                "m-4", customer: "c-4", statuses: [(.sent, nil), (.delivered, nil)], at: at(-60), log: log)
            try await CustomerSeeding.message(
                "m-5", customer: "c-5", statuses: [(.sent, nil), (.delivered, nil)], at: at(119), log: log)
            let other = MessageLogEntry.Message(
                try CustomerSeeding.outbound(id: "m-6", customer: "c-6", at: at(50), scenario: "cart"))
            try await log.record([
                MessageLogEntry(messageId: "m-6", customerId: "c-6", message: other, status: .sent, at: at(50))
            ])

            let response = try await client.send(
                .get, "/v1/admin/scenarios/greeter/report?from=2026-01-01T08:30:00Z&to=2026-01-01T10:00:00Z",
                key: fixture.viewer)
            #expect(response.status == .ok)
            let report = try response.json()
            #expect(report["scenario"] == "greeter")
            #expect(report["from"] == "2026-01-01T08:30:00Z")
            #expect(
                report["totals"]
                    == [
                        "entered": 5, "waiting": 4, "converted": 1,
                        "completed": ["goal:bought": 1, "end": 1, "exit:unsubscribed": 1],
                        "sent": 2, "delivered": 1, "opened": 1, "clicked": 1, "failed": 0, "bounced": 0, "deferred": 0,
                        "suppressed": ["cap:daily": 1, "quiet_hours": 1], "would_suppress": [:],
                    ])
            #expect(report["holdout"] == nil)
            guard case .list(let steps)? = report["steps"] else { throw TestFailure("no steps") }
            #expect(steps.map { $0[member: "step"] } == ["pause", "hello", "done"])
            #expect(steps[0][member: "entered"] == 5)
            #expect(steps[0][member: "waiting"] == 4)
            #expect(steps[0][member: "converted"] == 1)
            #expect(steps[1][member: "sent"] == 2)
            #expect(steps[1][member: "clicked"] == 1)
            #expect(steps[1][member: "suppressed"] == ["cap:daily": 1, "quiet_hours": 1])
            #expect(steps[1][member: "completed"] == ["exit:unsubscribed": 1])
            #expect(steps[2][member: "completed"] == ["end": 1])
            guard case .list(let hours)? = report["hours"] else { throw TestFailure("no hours") }
            #expect(hours.map { $0[member: "hour"] } == ["2026-01-01T08:00:00Z", "2026-01-01T09:00:00Z"])
            #expect(
                hours[0]
                    == [
                        "hour": "2026-01-01T08:00:00Z", "entered": 3, "completed": 1, "converted": 1, "sent": 1,
                        "delivered": 1, "opened": 1, "clicked": 1, "suppressed": 0, "would_suppress": 0,
                    ])
            #expect(hours[1][member: "entered"] == 2)
            #expect(hours[1][member: "completed"] == 2)
            #expect(hours[1][member: "sent"] == 1)
            #expect(hours[1][member: "suppressed"] == 2)

            for query in [
                "from=yesterday", "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
                "from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            ] {
                let bad = try await client.send(
                    .get, "/v1/admin/scenarios/greeter/report?\(query)", key: fixture.viewer)
                #expect(bad.status == .badRequest, "\(query)")
                #expect(problem(bad)?.type == "urn:nudge:problem:invalid-request")
            }
            #expect(
                try await client.send(.get, "/v1/admin/scenarios/nope/report", key: fixture.viewer).status == .notFound)
            // Without a range: the last 7 days, where nothing happened.
            let recent = try await client.send(.get, "/v1/admin/scenarios/greeter/report", key: fixture.viewer)
            #expect(try recent.json()["totals"]?[member: "entered"] == 0)
            #expect(try recent.json()["totals"]?[member: "waiting"] == 4)
        }
    }

    @Test func reportShowsTheHoldoutUpliftAndWhatShadowRulesWouldHaveStopped() async throws {
        try await AdminFixture.run("report-holdout") { client, fixture in
            _ = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: fixture.publisher, body: greeterYAML(version: 1))
            let keys = RedisKeys(prefix: fixture.keyPrefix)
            // As the engine writes them: 80 entered, 10 of them held out; 40 conversions, 2 held out.
            let commands = [
                RedisCommand(
                    "HSET", keys.report(scenario: "greeter", hour: "2026010108"), "entered|pause", 80,
                    "completed|goal:bought|pause", 40, "holdout|entered", 10, "holdout|completed|goal:bought", 2,
                    "holdout|completed|end", 5, "would_suppress|cap:email:1/day|hello", 7,
                    "would_suppress|quiet_hours:20:00-08:00|hello", 3)
            ]
            for reply in try await fixture.redis.pipeline(commands) { _ = try reply.throwingError() }
            let response = try await client.send(
                .get, "/v1/admin/scenarios/greeter/report?from=2026-01-01T08:00:00Z&to=2026-01-01T09:00:00Z",
                key: fixture.viewer)
            #expect(response.status == .ok)
            let report = try response.json()
            #expect(
                report["totals"]?[member: "would_suppress"] == ["cap:email:1/day": 7, "quiet_hours:20:00-08:00": 3])
            guard case .list(let hours)? = report["hours"] else { throw TestFailure("no hours") }
            #expect(hours.first?[member: "would_suppress"] == 10)
            let holdout = try #require(report["holdout"])
            #expect(holdout[member: "treated"][member: "entered"] == 70)
            #expect(holdout[member: "treated"][member: "converted"] == 38)
            #expect(holdout[member: "holdout"][member: "entered"] == 10)
            #expect(holdout[member: "holdout"][member: "converted"] == 2)
            #expect(holdout[member: "significant"] == true)
        }
    }
}

import Foundation
import NudgeRecords
import NudgeRedis
import NudgeTestSupport
import Testing

@testable import Engine

/// The Redis Cluster report counters: a batch's changes summed per scenario (pure), the commit
/// storing a customer's changes in its own slot, and the fold script counting a batch once.
@Suite("Report folds on Redis Cluster", .serialized, .timeLimit(.minutes(2)))
struct ReportFoldTests {
    typealias Increment = BatchPlan.ReportIncrement

    @Test("A batch's changes fold per scenario, summed, zero sums left out")
    func foldsSumPerScenario() {
        let increments: [Increment] = [
            .init(scenario: "b", hour: "2026120710", field: "entered|x", delta: 1),
            .init(scenario: "a", hour: nil, field: "waiting|x", delta: 1),
            .init(scenario: "a", hour: "2026120710", field: "entered|x", delta: 1),
            .init(scenario: "a", hour: nil, field: "waiting|x", delta: -1),
            .init(scenario: "a", hour: nil, field: "waiting|y", delta: 1),
            .init(scenario: "a", hour: "2026120710", field: "entered|x", delta: 1),
            .init(scenario: "c", hour: nil, field: "waiting|x", delta: 0),
        ]
        let folds = ReportFold.folds(owner: "p1/o", sequence: 4, increments)
        #expect(
            folds == [
                ReportFold(
                    owner: "p1/o", sequence: 4, scenario: "a",
                    counts: [
                        .init(hour: nil, field: "waiting|y", delta: 1),
                        .init(hour: "2026120710", field: "entered|x", delta: 2),
                    ]),
                ReportFold(
                    owner: "p1/o", sequence: 4, scenario: "b",
                    counts: [.init(hour: "2026120710", field: "entered|x", delta: 1)]),
            ])
        // The same changes in another order fold the same (the write and a recovery agree).
        #expect(ReportFold.folds(owner: "p1/o", sequence: 4, increments.reversed()) == folds)
    }

    @Test("Stored deltas round-trip")
    func storedDeltas() throws {
        let stored = StoredReportDeltas(
            owner: "p0/ab12", sequence: 9,
            increments: [.init(scenario: "s", hour: nil, field: "waiting|a|b", delta: -2)])
        #expect(try StoredReportDeltas.decode(try stored.encoded()) == stored)
    }

    @Test(
        "On the cluster the commit stores the customer's changes in its slot, and a refused one nothing",
        .sharesRedisCluster)
    func commitStoresDeltas() async throws {
        try TestRedisCluster.start()
        let redis = RedisClient(config: TestRedisCluster.config())
        let keys = RedisKeys(prefix: "nudge-test:fold-commit:\(UUID().uuidString.prefix(8))")
        let scriptKeys = [
            keys.customer("c1"), keys.outbox("c1", partition: 0), keys.slots("c1"),
            keys.reportDeltas("c1", partition: 0),
        ].map { RedisArgument($0) }
        func commit(version: Int, deltas: String) async throws -> RedisReply {
            try await redis.eval(
                CustomerScripts.commit, keys: scriptKeys,
                args: [
                    RedisArgument(version), "state", RedisArgument(0), RedisArgument(0), RedisArgument(0),
                    RedisArgument(0), RedisArgument(0), RedisArgument(deltas),
                ])
        }
        #expect(try await commit(version: 0, deltas: "first") == .array([.integer(0)]))
        #expect(try await redis.send("GET", keys.reportDeltas("c1", partition: 0)).string == "first")
        #expect(try await commit(version: 0, deltas: "stale") == .array([.integer(2)]))
        #expect(try await redis.send("GET", keys.reportDeltas("c1", partition: 0)).string == "first")
        _ = try await redis.send(RedisCommand("DEL", arguments: scriptKeys))
    }

    @Test(
        "A fold counts once per owner and sequence; an owner's first fold forgets stale marks of its partition",
        .sharesRedisCluster)
    func foldOnce() async throws {
        try TestRedisCluster.start()
        let redis = RedisClient(config: TestRedisCluster.config())
        let keys = RedisKeys(prefix: "nudge-test:fold:\(UUID().uuidString.prefix(8))")
        func fold(_ owner: String, _ sequence: Int64, delta: Int, now: Int64 = 1_000, pruneBefore: Int64 = 0)
            async throws -> Int?
        {
            let fold = ReportFold(
                owner: owner, sequence: sequence, scenario: "s",
                counts: [
                    .init(hour: nil, field: "waiting|a", delta: delta),
                    .init(hour: "2026120710", field: "entered|a", delta: delta),
                ])
            return try await redis.send(
                ReportScripts.command(fold, partition: 2, keys: keys, now: now, pruneBefore: pruneBefore)
            ).throwingError().int
        }
        let hour = keys.report(scenario: "s", hour: "2026120710", layout: .scenarioSlot)
        let now = keys.reportNow(scenario: "s", layout: .scenarioSlot)
        let marks = keys.reportFolds(scenario: "s")

        #expect(try await fold("p2/a", 1, delta: 3) == 1)
        #expect(try await fold("p2/a", 1, delta: 3) == 0)
        #expect(try await fold("p2/a", 2, delta: 2) == 1)
        #expect(try await fold("p2/a", 1, delta: 3) == 0)
        // Another owner's sequences are its own.
        #expect(try await fold("p2/b", 1, delta: 1) == 1)
        #expect(try await redis.send("HGET", hour, "entered|a").int == 6)
        #expect(try await redis.send("HGET", now, "waiting|a").int == 6)
        #expect(try await redis.send("HGET", marks, "p2/a").string == "2:1000")

        _ = try await redis.send("HSET", marks, "p2/old", "5:100", "p3/old", "5:100", "p2/recent", "7:5000")
        #expect(try await fold("p2/new", 1, delta: 1, now: 10_000, pruneBefore: 1_000) == 1)
        let left = try await redis.send("HKEYS", marks).array?.compactMap(\.string).sorted()
        #expect(left == ["p2/a", "p2/b", "p2/new", "p2/recent", "p3/old"])
        // Later folds of the same owner prune nothing (only its first one looks).
        _ = try await redis.send("HSET", marks, "p2/older", "1:1")
        #expect(try await fold("p2/new", 2, delta: 1, now: 10_000, pruneBefore: 1_000) == 1)
        #expect(try await redis.send("HEXISTS", marks, "p2/older").int == 1)
        #expect(try await redis.send("HGET", hour, "entered|a").int == 8)
        _ = try await redis.send("DEL", hour, now, marks)
    }
}

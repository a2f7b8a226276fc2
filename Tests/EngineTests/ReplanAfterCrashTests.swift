import EngineCore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import NudgeRecords
import NudgeRedis
import Testing

/// A `nudge engine` that starts with a birthday scenario over customers already in Redis (an
/// upgrade, or a first start on existing data) replans them; killed with SIGKILL mid-way, the
/// next process resumes from the cursors, writes each customer exactly once in all, and reports
/// its part in `/metrics`.
@Suite("Replan after a crash", .serialized, .timeLimit(.minutes(3)))
struct ReplanAfterCrashTests {
    static let born = (0..<60).map { "born-\($0)" }
    static let plain = (0..<20).map { "plain-\($0)" }

    @Test func aReplanKilledMidwayResumesAndWritesEveryCustomerOnce() async throws {
        let env = try await EngineTestEnvironment(
            "replan-crash", scenarios: ["bday.yaml": ReplanExistingCustomersTests.birthday])
        try await env.createTopics()
        let redis = env.redis()
        let keys = RedisKeys(prefix: env.config.redisKeyPrefix)
        // Customers as an engine without the scenario left them: a profile, version 1.
        var seed: [RedisCommand] = []
        for (index, id) in (Self.born + Self.plain).enumerated() {
            let profile: [String: Value] =
                index < Self.born.count
                ? ["birthday": .string("1985-07-\(String(format: "%02d", index % 28 + 1))")] : [:]
            let state = try CustomerState(customerId: id, profile: profile).storedJSON()
            seed.append(
                RedisCommand("HSET", RedisArgument(keys.customer(id)), "s", RedisArgument(bytes: state), "v", "1"))
        }
        for reply in try await redis.pipeline(seed) { try reply.throwingError() }

        var slow = env.childEnvironment
        slow["NUDGE_ENGINE_REPLAN_PAGE_SIZE"] = "10"
        slow["NUDGE_ENGINE_REPLAN_RATE"] = "10"
        let first = try EngineProcess(environment: slow, label: "replan-slow")
        defer { first.kill9() }
        let deadline = ContinuousClock.now + .seconds(60)
        var started = false
        while ContinuousClock.now < deadline, !started {
            try first.checkRunning()
            started = try await ReplanExistingCustomersTests.progress(redis: redis, keys: keys).values.contains {
                $0.scanned > 0
            }
            if !started { try await Task.sleep(for: .milliseconds(50)) }
        }
        first.kill9()
        #expect(started, "the replan started within 60 s")
        let atCrash = try await ReplanExistingCustomersTests.progress(redis: redis, keys: keys)
        #expect(atCrash.values.contains { !$0.isFinished }, "killed mid-replan: \(atCrash)")
        var writtenBeforeCrash = 0
        for id in Self.born where try await ReplanExistingCustomersTests.version(id, redis: redis, keys: keys) == 2 {
            writtenBeforeCrash += 1
        }

        var fast = env.childEnvironment
        fast["NUDGE_ENGINE_REPLAN_PAGE_SIZE"] = "500"
        fast["NUDGE_ENGINE_REPLAN_RATE"] = "100000"
        let second = try EngineProcess(environment: fast, label: "replan-fast")
        defer { second.kill9() }
        let finished = try await ReplanExistingCustomersTests.waitForFinished(
            partitions: env.config.topics.partitions, redis: redis, keys: keys)
        try second.checkRunning()
        #expect(finished.count == env.config.topics.partitions && finished.values.allSatisfy(\.isFinished))
        for (partition, progress) in finished where atCrash[partition]?.scanned ?? 0 > 0 {
            #expect(progress.startedAt == atCrash[partition]?.startedAt, "partition \(partition) resumed")
        }
        for id in Self.born {
            #expect(try await ReplanExistingCustomersTests.version(id, redis: redis, keys: keys) == 2, "\(id)")
            #expect(try await env.customerState(id)?.triggerTimers["d/bday"] != nil, "\(id)")
        }
        for id in Self.plain {
            #expect(try await ReplanExistingCustomersTests.version(id, redis: redis, keys: keys) == 1, "\(id)")
        }

        // The second process wrote exactly the customers the first had not.
        let port = try #require(second.listeningPort)
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
        let (body, _) = try await URLSession.shared.data(from: url)
        let metrics = String(decoding: body, as: UTF8.self)
        #expect(
            metrics.contains("nudge_engine_replan_customers_changed_total \(Self.born.count - writtenBeforeCrash)"),
            "written before the crash: \(writtenBeforeCrash)\n\(metrics)")
        #expect(metrics.contains("nudge_engine_replans_finished_total"))
        for partition in 0..<env.config.topics.partitions {
            #expect(metrics.contains(#"nudge_engine_replan_running{partition="\#(partition)"} 0"#))
        }
        second.terminate()
    }
}

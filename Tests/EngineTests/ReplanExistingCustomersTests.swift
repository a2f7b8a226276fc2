import EngineCore
import Foundation
import NudgeKafka
import NudgeRecords
import NudgeRedis
import NudgeTestSupport
import ProcessSupport
import ScenarioStore
import Testing

@testable import NudgeApp

/// A scenario with a date trigger deployed to a running engine reaches the customers that
/// existed before it: every partition scans the customer keys, replans the customers it owns
/// (their birthday timer appears, in state and in the partition's timer set), and a replan
/// interrupted by a stop resumes from its cursor and doubles nothing.
@Suite("Replanning existing customers after a deploy", .serialized, .timeLimit(.minutes(3)))
struct ReplanExistingCustomersTests {
    static let greeter = """
        id: greeter
        version: 1
        name: Greeter
        owner: tests
        status: active
        trigger:
          event: Signed Up
        steps:
          hello:
            send:
              channel: email
              template: welcome
        """

    static let birthday = """
        id: bday
        version: 1
        name: Birthday
        owner: tests
        status: active
        trigger:
          date: profile.birthday
          yearly: true
          at: "10:00"
        steps:
          hello:
            send:
              channel: email
              template: birthday-offer
        """

    static let withBirthday = (0..<100).map { "born-\($0)" }
    static let withoutBirthday = (0..<20).map { "plain-\($0)" }

    @Test func aDeployedBirthdayScenarioReachesEveryEarlierCustomerOnceEvenAcrossAStop() async throws {
        var setup = try await EngineTestEnvironment("replan", scenarios: ["greeter.yaml": Self.greeter])
        let database = try await setup.useFreshDatabase()
        // Slow at first (a page of 10 keys a second per partition), so the stop lands mid-replan.
        setup.config.engine.replanPageSize = 10
        setup.config.engine.replanRate = 10
        let slow = setup
        try await slow.createTopics()
        let producer = try slow.producer()
        let redis = slow.redis()
        let keys = RedisKeys(prefix: slow.config.redisKeyPrefix)
        let customers = Self.withBirthday + Self.withoutBirthday

        let (versions, progressAtStop) = try await Self.running(slow) {
            var events: [SegmentEvent] = []
            for (index, id) in Self.withBirthday.enumerated() {
                let day = String(format: "%02d", index % 28 + 1)
                events.append(
                    SegmentEvent(
                        type: "identify", event: "", customerId: id, traits: ["birthday": .string("1990-03-\(day)")]))
            }
            for id in Self.withoutBirthday {
                events.append(SegmentEvent(type: "identify", event: "", customerId: id, traits: ["plan": "free"]))
            }
            try await slow.send(events, with: producer)
            let versions = try await Self.waitForVersions(customers, redis: redis, keys: keys)
            #expect(versions.count == customers.count, "every customer exists before the deploy")

            try await TestPostgres.withClient(slow.config.postgres) { client in
                let store = PostgresScenarioStore(client: client, logger: slow.logger)
                let outcome = try await store.deploy(yaml: Self.birthday, file: "bday.yaml", by: "test")
                #expect(outcome == .deployed(id: "bday", version: 1))
            }
            // Stop as soon as a partition is under way.
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let progress = try await Self.progress(redis: redis, keys: keys)
                if progress.values.contains(where: { $0.scanned > 0 }) { return (versions, progress) }
                try await Task.sleep(for: .milliseconds(50))
            }
            return (versions, [:])
        }
        #expect(!progressAtStop.isEmpty, "the replan started within 30 s of the deploy")
        #expect(
            progressAtStop.values.contains { !$0.isFinished && $0.cursor != "0" },
            "the engine stopped mid-replan: \(progressAtStop)")
        let stopped = try await Self.progress(redis: redis, keys: keys)

        // Restarted at full speed: the partitions resume where they were and finish.
        var fast = slow
        fast.config.engine.replanPageSize = 500
        fast.config.engine.replanRate = 100_000
        let resumedEngine = fast
        let finished = try await Self.running(resumedEngine) {
            try await Self.waitForFinished(partitions: resumedEngine.config.topics.partitions, redis: redis, keys: keys)
        }
        #expect(finished.count == resumedEngine.config.topics.partitions)
        for (partition, progress) in finished {
            #expect(progress.scenarios == ["bday@1"])
            #expect(progress.isFinished)
            if let before = stopped[partition], before.scanned > 0 {
                // Resumed, not restarted: same start, counts carried on.
                #expect(progress.startedAt == before.startedAt, "partition \(partition)")
                #expect(progress.scanned >= before.scanned, "partition \(partition)")
            }
        }
        // Every customer with a birthday was written exactly once, the others not at all.
        #expect(finished.values.map(\.changed).reduce(0, +) == Self.withBirthday.count)
        #expect(finished.values.map(\.replanned).reduce(0, +) >= customers.count)
        try await Self.expectPlanned(versions: versions, redis: redis, keys: keys, env: resumedEngine)

        // A replan started over for the same catalog (its cursor lost, as after a crash before
        // any page was recorded) finds nothing left to do.
        for partition in 0..<Int32(resumedEngine.config.topics.partitions) {
            let restart = ReplanProgress(scenarios: ["bday@1"], startedAt: Timestamp.wallClock().milliseconds)
            try await Self.write(restart, partition: partition, redis: redis, keys: keys)
        }
        let again = try await Self.running(resumedEngine) {
            try await Self.waitForFinished(partitions: resumedEngine.config.topics.partitions, redis: redis, keys: keys)
        }
        #expect(again.values.map(\.changed).reduce(0, +) == 0)
        #expect(again.values.map(\.replanned).reduce(0, +) >= customers.count)
        try await Self.expectPlanned(versions: versions, redis: redis, keys: keys, env: resumedEngine)
        // A replan plans timers and sends nothing.
        #expect(try await resumedEngine.outboundMessages().isEmpty)

        await producer.shutdown()
        await TestPostgres.drop(database)
    }

    /// Customers with a birthday: the timer in their state and in their partition's timer set,
    /// their version one above what it was before the deploy. The others: untouched.
    static func expectPlanned(
        versions: [String: Int], redis: RedisClient, keys: RedisKeys, env: EngineTestEnvironment
    ) async throws {
        let now = Timestamp.wallClock()
        for id in withBirthday {
            let state = try #require(try await env.customerState(id))
            let due = try #require(state.triggerTimers["d/bday"], "customer \(id) has a birthday timer")
            #expect(due > now)
            let partition = KafkaPartitioner.partition(forKey: Array(id.utf8), partitions: env.config.topics.partitions)
            let score = try await redis.send(
                "ZSCORE", keys.timers(partition: partition), RedisKeys.timerMember(customer: id, timer: "d/bday"))
            #expect(score.string.flatMap(Double.init).map { Int64($0) } == due.milliseconds, "timer of \(id)")
            #expect(try await version(id, redis: redis, keys: keys) == (versions[id] ?? -1) + 1, "customer \(id)")
        }
        for id in withoutBirthday {
            #expect(try await env.customerState(id)?.triggerTimers.isEmpty == true)
            #expect(try await version(id, redis: redis, keys: keys) == versions[id], "customer \(id)")
        }
    }

    /// Runs the engine (with the catalog from PostgreSQL) until `body` returns, then stops it.
    static func running<T: Sendable>(
        _ env: EngineTestEnvironment, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let app = try await NudgeApplication.build(
            config: env.config, components: [.postgres, .engine], logger: env.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    static func version(_ id: String, redis: RedisClient, keys: RedisKeys) async throws -> Int? {
        try await redis.send("HGET", keys.customer(id), RedisKeys.versionField).int
    }

    static func waitForVersions(_ ids: [String], redis: RedisClient, keys: RedisKeys) async throws -> [String: Int] {
        let deadline = ContinuousClock.now + .seconds(30)
        var versions: [String: Int] = [:]
        while ContinuousClock.now < deadline {
            for id in ids where versions[id] == nil {
                versions[id] = try await version(id, redis: redis, keys: keys)
            }
            if versions.count == ids.count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return versions
    }

    static func progress(redis: RedisClient, keys: RedisKeys) async throws -> [Int32: ReplanProgress] {
        var all: [Int32: ReplanProgress] = [:]
        for partition in 0..<Int32(EngineTestEnvironment.partitions) {
            let items = try await redis.send("HGETALL", keys.replan(partition: partition)).array ?? []
            var fields: [String: String] = [:]
            for index in stride(from: 0, to: items.count - 1, by: 2) {
                fields[items[index].string ?? ""] = items[index + 1].string ?? ""
            }
            if let progress = try ReplanProgress(fields: fields) { all[partition] = progress }
        }
        return all
    }

    static func waitForFinished(partitions: Int, redis: RedisClient, keys: RedisKeys) async throws -> [Int32:
        ReplanProgress]
    {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let progress = try await Self.progress(redis: redis, keys: keys)
            if progress.count == partitions, progress.values.allSatisfy(\.isFinished) { return progress }
            if ContinuousClock.now > deadline { return progress }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func write(_ progress: ReplanProgress, partition: Int32, redis: RedisClient, keys: RedisKeys) async throws {
        var arguments = [RedisArgument(keys.replan(partition: partition))]
        for (field, value) in progress.fields {
            arguments.append(RedisArgument(field))
            arguments.append(RedisArgument(value))
        }
        _ = try await redis.pipeline([
            RedisCommand("DEL", keys.replan(partition: partition)), RedisCommand("HSET", arguments: arguments),
        ])
    }
}

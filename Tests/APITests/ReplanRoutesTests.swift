import API
import EngineCore
import HummingbirdTesting
import NudgeRecords
import NudgeRedis
import Testing

/// `GET /v1/admin/replans` reads the replan progress the engine's partitions write to Redis.
@Suite("Replan routes", .serialized, .timeLimit(.minutes(1)))
struct ReplanRoutesTests {
    @Test func viewersSeeEachPartitionsReplanAndWhetherAllFinished() async throws {
        try await AdminFixture.run("replans") { client, fixture in
            let keys = RedisKeys(prefix: fixture.keyPrefix)
            let before = try await client.send(.get, "/v1/admin/replans", key: fixture.viewer)
            #expect(before.status == .ok)
            let empty = try before.json()
            #expect(empty["finished"] == false)
            guard case .list(let none) = empty["partitions"] ?? .null else { throw TestFailure(before.text) }
            #expect(none.count == Int(APITestEnvironment.partitions))
            #expect(
                none.allSatisfy { if case .object(let view) = $0 { view["status"] == "not_started" } else { false } })

            let scenarios = ["birthday@1", "come-back@2"]
            for partition in 0..<Int32(APITestEnvironment.partitions) {
                let progress = ReplanProgress(
                    scenarios: scenarios, cursor: partition == 0 ? "96" : "0", scanned: 40, replanned: 10,
                    changed: 7, startedAt: 1_000, finishedAt: partition == 0 ? nil : 3_000)
                try await Self.write(progress, partition: partition, keys: keys, redis: fixture.redis)
            }
            let running = try await client.send(.get, "/v1/admin/replans", key: fixture.viewer).json()
            #expect(running["finished"] == false)
            guard case .list(let items) = running["partitions"] ?? .null,
                case .object(let first) = items.first ?? .null, case .object(let second) = items.last ?? .null
            else { throw TestFailure("no partitions in \(running)") }
            #expect(first["partition"] == 0)
            #expect(first["status"] == "running")
            #expect(first["scenarios"] == .list(["birthday@1", "come-back@2"]))
            #expect(first["scanned"] == 40)
            #expect(first["replanned"] == 10)
            #expect(first["changed"] == 7)
            #expect(first["started_at"] == "1970-01-01T00:00:01Z")
            #expect(first["finished_at"] == nil)
            #expect(second["status"] == "finished")
            #expect(second["finished_at"] == "1970-01-01T00:00:03Z")

            try await Self.write(
                ReplanProgress(
                    scenarios: scenarios, scanned: 80, replanned: 20, changed: 9, startedAt: 1_000, finishedAt: 4_000),
                partition: 0, keys: keys, redis: fixture.redis)
            let done = try await client.send(.get, "/v1/admin/replans", key: fixture.viewer).json()
            #expect(done["finished"] == true)

            let anonymous = try await client.send(.get, "/v1/admin/replans", key: nil)
            #expect(anonymous.status == .unauthorized)
        }
    }

    static func write(_ progress: ReplanProgress, partition: Int32, keys: RedisKeys, redis: RedisClient) async throws {
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

import NudgeRecords
import NudgeRedis

/// Reads how far the engine's replan of existing customers has come, per partition of the
/// events topic (`RedisKeys.replan(partition:)`, written by the partition's owner).
struct ReplanReader: Sendable {
    let redis: RedisClient
    let keys: RedisKeys
    let partitions: Int

    /// One partition's progress; nil where no replan ever ran.
    func progress() async throws -> [(partition: Int32, progress: ReplanProgress?)] {
        let numbers = (0..<Int32(partitions)).map { $0 }
        let replies = try await redis.pipeline(numbers.map { RedisCommand("HGETALL", keys.replan(partition: $0)) })
        return try zip(numbers, replies).map { partition, reply in
            let items = try reply.throwingError(command: "HGETALL").array ?? []
            var fields: [String: String] = [:]
            var index = 0
            while index + 1 < items.count {
                fields[items[index].string ?? ""] = items[index + 1].string ?? ""
                index += 2
            }
            return (partition, try ReplanProgress(fields: fields))
        }
    }
}

import NudgeKafka
import NudgeRecords
import NudgeRedis

/// The Redis side of replanning a partition's existing customers: the progress record and the
/// scan of customer keys. The replan itself runs as ordinary batches of `WorkInput.replan`
/// through `stage`, so each customer is replanned in order with its events and committed by the
/// version-checked commit script like any other change.
extension PartitionPipeline {
    /// One page of the scan: the cursor after it, how many customer keys it held, and the ids of
    /// the customers this partition owns (whose key the producers' partitioner sends here).
    struct CustomerPage: Sendable {
        var next: String
        var scanned: Int
        var owned: [String]
    }

    func loadReplanProgress() async throws -> ReplanProgress? {
        let reply = try await redis.send("HGETALL", keys.replan(partition: partition)).throwingError(command: "HGETALL")
        let items = reply.array ?? []
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            fields[items[index].string ?? ""] = items[index + 1].string ?? ""
            index += 2
        }
        return try ReplanProgress(fields: fields)
    }

    func writeReplanProgress(_ progress: ReplanProgress) async throws {
        var arguments = [RedisArgument(keys.replan(partition: partition))]
        for (field, value) in progress.fields {
            arguments.append(RedisArgument(field))
            arguments.append(RedisArgument(value))
        }
        var commands = [RedisCommand("HSET", arguments: arguments)]
        if !progress.isFinished {
            commands.append(RedisCommand("HDEL", keys.replan(partition: partition), "finished_at"))
        }
        for reply in try await redis.pipeline(commands) { try reply.throwingError(command: "replan progress") }
    }

    /// `SCAN cursor MATCH <prefix>:cust:{*} COUNT count`, keeping the customers of this partition.
    /// SCAN returns every key that exists for the whole scan at least once (some twice, which a
    /// replan shrugs off) and keeps no state in Redis, so a cursor written down resumes anywhere.
    func scanCustomers(cursor: String, count: Int, partitions: Int) async throws -> CustomerPage {
        let reply = try await redis.send("SCAN", cursor, "MATCH", keys.customerPattern, "COUNT", count)
            .throwingError(command: "SCAN")
        guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
            throw ReplanScanError(partition: partition, cursor: cursor, reply: "\(reply)")
        }
        let found = (parts[1].array ?? []).compactMap { $0.string.flatMap(keys.customerId(fromKey:)) }
        var owned: [String] = []
        var seen = Set<String>()
        for id in found
        where KafkaPartitioner.partition(forKey: Array(id.utf8), partitions: partitions) == partition
            && seen.insert(id).inserted
        {
            owned.append(id)
        }
        return CustomerPage(next: next, scanned: found.count, owned: owned)
    }
}

/// A SCAN reply that is not `[cursor, [keys...]]`.
struct ReplanScanError: Error, CustomStringConvertible {
    var partition: Int32
    var cursor: String
    var reply: String

    var description: String { "partition \(partition): SCAN from cursor \(cursor) answered \(reply)" }
}

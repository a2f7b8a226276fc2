import NudgeKafka
import NudgeRedis

extension PartitionPipeline {
    /// Finishes what a crashed or failed run left in this partition's outboxes (on Redis Cluster
    /// its report deltas first, `recoverReports`). Records already produced (found by their id
    /// on the partition they were produced to, from the last checkpoint on) are not produced
    /// again; the rest are. Runs when the partition is assigned and after a failed batch, before
    /// anything else of the partition.
    func recover() async throws {
        try await recoverReports()
        let pendingKey = keys.pendingOutbox(partition: partition)
        let customers = (try await redis.send("SMEMBERS", pendingKey).throwingError().array ?? []).compactMap(\.string)
        guard !customers.isEmpty else { return }

        let lists = try await redis.pipeline(
            customers.map { RedisCommand("LRANGE", keys.outbox($0, partition: partition), 0, -1) })
        var records: [OutboxRecord] = []
        for reply in lists {
            for item in try reply.throwingError(command: "LRANGE").array ?? [] {
                if let bytes = item.bytes { records.append(try OutboxRecord.decode(bytes)) }
            }
        }

        var produced = Set<String>()
        for topic in Set(records.map(\.topic)) {
            let checkpoint = try await redis.send("HGET", keys.producedCheckpoint(partition: partition), topic)
            let from = Int64(checkpoint.string ?? "") ?? 0
            for message in try await reader.readAll(topic: topic, partition: partition, from: from) {
                if let id = OutboxRecord.id(of: message) { produced.insert(id) }
            }
        }
        let missing = records.filter { !produced.contains($0.id) }
        logger.info(
            "recovering outbox",
            metadata: [
                EngineLogKeys.partition: "\(partition)", EngineLogKeys.customers: "\(customers.count)",
                EngineLogKeys.records: "\(records.count)",
                EngineLogKeys.alreadyProduced: "\(records.count - missing.count)",
            ])
        let delivered = try await produce(missing)
        try await cleanUp(customers: customers, delivered)
    }
}

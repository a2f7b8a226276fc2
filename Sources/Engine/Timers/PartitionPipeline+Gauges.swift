import NudgeRedis

extension PartitionPipeline {
    /// Pending timers and consumer lag of this partition, and the deployment's active instances.
    func refreshGauges(position: Int64?) async throws {
        metrics.timersPending(partition: partition, count: try await pendingTimerCount())
        if let active = try await redis.send("HGET", keys.stats, "instances_active").int {
            metrics.instancesActive.record(active)
        }
        if let position {
            let (_, high) = try await reader.watermarks(topic: topics.events, partition: partition)
            metrics.lag(partition: partition, messages: max(0, high - position))
        }
    }
}

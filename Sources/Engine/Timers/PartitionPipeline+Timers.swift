import EngineCore
import NudgeRecords
import ProcessSupport
import NudgeRedis

extension PartitionPipeline {
    /// Timers of this partition due at `now`, oldest first, as pipeline inputs.
    func dueTimers(now: Timestamp, limit: Int) async throws -> [WorkInput] {
        let reply = try await redis.send(
            "ZRANGEBYSCORE", keys.timers(partition: partition), "-inf", Int(now.milliseconds), "WITHSCORES",
            "LIMIT", 0, limit
        ).throwingError(command: "ZRANGEBYSCORE")
        let items = reply.array ?? []
        var inputs: [WorkInput] = []
        inputs.reserveCapacity(items.count / 2)
        var index = 0
        while index + 1 < items.count {
            defer { index += 2 }
            guard let member = items[index].string, let score = items[index + 1].string, let due = Double(score),
                let separator = member.firstIndex(of: RedisKeys.timerSeparator)
            else { continue }
            let customerId = String(member[..<separator])
            let timerId = String(member[member.index(after: separator)...])
            inputs.append(
                WorkInput(
                    customerId: customerId, kind: .timer(id: timerId, due: Timestamp(milliseconds: Int64(due))),
                    source: nil))
        }
        return inputs
    }

    /// Timers waiting in this partition, for the pending gauge.
    func pendingTimerCount() async throws -> Int {
        try await redis.send("ZCARD", keys.timers(partition: partition)).throwingError().int ?? 0
    }
}

import NudgeRecords
import NudgeRedis

/// Reading what the engine wrote, on a single Redis or on the cluster alike.
extension EngineTestEnvironment {
    var reportLayout: ReportLayout { ReportLayout(cluster: config.redis.mode == .cluster) }

    /// The keys matching `pattern`, on every master of a cluster (KEYS only sees its own node).
    /// Asked again while a master cannot be reached: other suites kill cluster masters, and
    /// routed commands ride out the failover but a command for each master names the dead one
    /// until its replica has taken over (a few seconds).
    func keys(matching pattern: String, on redis: RedisClient) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                var keys = Set<String>()
                for (endpoint, replies) in try await redis.onEachServer([RedisCommand("KEYS", pattern)]) {
                    for reply in replies {
                        for key in try reply.throwingError(endpoint: endpoint, command: "KEYS").array ?? [] {
                            if let key = key.string { keys.insert(key) }
                        }
                    }
                }
                return keys.sorted()
            } catch let error as RedisError
                where [.connectionFailed, .connectionClosed].contains(error.code) && ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// The hour-bucket keys of a scenario's report counters.
    func reportHourKeys(_ scenario: String, on redis: RedisClient) async throws -> [String] {
        // Braces are no glob characters, and scenario ids hold none.
        let pattern = RedisKeys(prefix: config.redisKeyPrefix).report(
            scenario: scenario, hour: "*", layout: reportLayout)
        return try await keys(matching: pattern, on: redis)
    }

    /// The hourly counters of a scenario summed over every hour bucket (a run may cross an hour),
    /// zeros left out.
    func reportHourly(_ scenario: String, on redis: RedisClient) async throws -> [String: Int] {
        var totals: [String: Int] = [:]
        for key in try await reportHourKeys(scenario, on: redis) {
            try await counters(key, on: redis).forEach { totals[$0.key, default: 0] += $0.value }
        }
        return totals.filter { $0.value != 0 }
    }

    /// The live `waiting|<step>` counters of a scenario, zeros left out.
    func reportLive(_ scenario: String, on redis: RedisClient) async throws -> [String: Int] {
        let key = RedisKeys(prefix: config.redisKeyPrefix).reportNow(scenario: scenario, layout: reportLayout)
        return try await counters(key, on: redis).filter { $0.value != 0 }
    }

    func counters(_ key: String, on redis: RedisClient) async throws -> [String: Int] {
        let items = try await redis.send("HGETALL", key).throwingError(command: "HGETALL").array ?? []
        var fields: [String: Int] = [:]
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            fields[items[index].string ?? ""] = items[index + 1].int
        }
        return fields
    }
}

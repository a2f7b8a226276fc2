import Foundation
import Logging
import Synchronization

/// The client side of a Redis Cluster: the slot map, a connection pool per node, and the
/// routing of each command to the master of its key's slot.
///
/// A pipeline is split by node; each node's share goes out as one batch (in the caller's order)
/// and the shares run concurrently; replies come back in the caller's order. Commands a node
/// did not run are sent again: after MOVED at the new owner (the map is corrected at once and
/// reloaded), after ASK once at the importing node behind ASKING (the map stays), after
/// TRYAGAIN or CLUSTERDOWN, or when a node could not be connected to (a master that died: the
/// map is reloaded until its replica has taken over), with a doubling pause, at most
/// `clusterAttempts` times. A command that reached a node whose connection then broke may have
/// run and is never sent again: that error is thrown, and the map is reloaded for the next call.
final class RedisCluster: Sendable {
    private let config: RedisConfig
    private let logger: Logger
    private let state: Mutex<State>

    private struct State: Sendable {
        var map: RedisSlotMap?
        var pools: [RedisEndpoint: RedisNodePool] = [:]
        var refresh: Task<RedisSlotMap, any Error>?
    }

    init(config: RedisConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        self.state = Mutex(State())
    }

    /// Runs `commands`, each on the master of its slot; see the type's comment.
    func pipeline(_ commands: [RedisCommand], timeout: Duration?) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let slots = try RedisCommandRouting.slots(of: commands)
        var replies = [RedisReply?](repeating: nil, count: commands.count)
        var pending = Array(commands.indices)
        var asking: [Int: RedisEndpoint] = [:]
        var attempt = 0
        var lastFailure: RedisError?
        while !pending.isEmpty {
            if attempt > 0 {
                guard attempt < max(1, config.clusterAttempts) else {
                    throw lastFailure
                        ?? RedisError(
                            code: .connectionFailed, message: "the cluster did not settle",
                            endpoint: config.endpoint, command: commands[pending[0]].name)
                }
                let pause = config.clusterBackoff * (1 << min(attempt - 1, 10))
                try await sleep(min(pause, .seconds(1)))
            }
            attempt += 1
            let map = try await slotMap()
            let fallback =
                map.masters.first ?? config.nodes.first ?? RedisEndpoint(host: config.host, port: config.port)
            let targets = RedisCommandRouting.targets(
                slots: pending.map { slots[$0] }, target: map.master(of:), fallback: fallback)
            var next: [Int] = []
            var routed: [(RedisEndpoint, Int)] = []
            for (offset, position) in pending.enumerated() {
                if let target = asking[position] ?? targets[offset] {
                    routed.append((target, position))
                } else {
                    // No master serves the slot (failover under way): like CLUSTERDOWN.
                    next.append(position)
                    lastFailure = RedisError(
                        code: .connectionFailed, message: "no master serves slot \(slots[position] ?? -1)",
                        endpoint: config.endpoint, command: commands[position].name)
                }
            }
            let groups = RedisCommandRouting.groups(routed.map(\.0)).map { group in
                (target: group.target, positions: group.positions.map { routed[$0].1 })
            }
            let outcomes = await run(groups, commands: commands, asking: asking, timeout: timeout)
            var reload = !next.isEmpty
            for (group, outcome) in zip(groups, outcomes) {
                switch outcome {
                case .failure(let error) where error.code == .connectionFailed:
                    // Nothing was sent: send it again once the map names a live master.
                    next += group.positions
                    reload = true
                    lastFailure = error
                case .failure(let error):
                    startRefresh()
                    throw error
                case .success(let groupReplies):
                    for (position, reply) in zip(group.positions, groupReplies) {
                        asking[position] = nil
                        switch RedisRedirect(reply: reply, from: group.target) {
                        case .moved(let slot, let target):
                            state.withLock { $0.map = $0.map?.moving(slot, to: target) }
                            reload = true
                            replies[position] = reply
                            next.append(position)
                        case .ask(_, let target):
                            asking[position] = target
                            replies[position] = reply
                            next.append(position)
                        case .retryLater:
                            replies[position] = reply
                            next.append(position)
                        case nil:
                            replies[position] = reply
                        }
                    }
                }
            }
            if reload { startRefresh() }
            pending = next.sorted()
            if !pending.isEmpty {
                logger.debug(
                    "Redis cluster: sending commands again",
                    metadata: [RedisLogKeys.pipelineSize: "\(pending.count)", RedisLogKeys.attempt: "\(attempt)"])
            }
        }
        return replies.map { $0 ?? .null }
    }

    /// Each group on its node, concurrently; ASKING goes right before each command sent on an ASK.
    private func run(
        _ groups: [(target: RedisEndpoint, positions: [Int])],
        commands: [RedisCommand],
        asking: [Int: RedisEndpoint],
        timeout: Duration?
    ) async -> [Result<[RedisReply], RedisError>] {
        let batches = groups.map { group in
            var batch: [RedisCommand] = []
            var keep: [Bool] = []
            for position in group.positions {
                if asking[position] != nil {
                    batch.append(RedisCommand("ASKING"))
                    keep.append(false)
                }
                batch.append(commands[position])
                keep.append(true)
            }
            return (pool: pool(group.target), batch: batch, keep: keep)
        }
        if batches.count == 1, let only = batches.first {
            return [await Self.execute(only.pool, only.batch, keep: only.keep, timeout: timeout)]
        }
        return await withTaskGroup(of: (Int, Result<[RedisReply], RedisError>).self) { tasks in
            for (index, batch) in batches.enumerated() {
                tasks.addTask {
                    (index, await Self.execute(batch.pool, batch.batch, keep: batch.keep, timeout: timeout))
                }
            }
            var results = [Result<[RedisReply], RedisError>](
                repeating: .failure(RedisError(code: .protocolError, message: "no result")), count: batches.count)
            for await (index, result) in tasks { results[index] = result }
            return results
        }
    }

    private static func execute(
        _ pool: RedisNodePool, _ batch: [RedisCommand], keep: [Bool], timeout: Duration?
    ) async -> Result<[RedisReply], RedisError> {
        do {
            let replies = try await pool.pipeline(batch, timeout: timeout)
            return .success(zip(replies, keep).compactMap { $1 ? $0 : nil })
        } catch {
            return .failure(error)
        }
    }

    /// Every master of the current map (e.g. to load a script on each, or to check each).
    func masters() async throws(RedisError) -> [RedisEndpoint] {
        try await slotMap().masters
    }

    /// Runs `commands` on one node, not routed (SCRIPT LOAD, PING, CLUSTER INFO on each master).
    /// A node that cannot be reached may be a master that died: the map is reloaded in the
    /// background, so a caller that tries again asks the masters the cluster has by then.
    func pipeline(_ commands: [RedisCommand], on node: RedisEndpoint, timeout: Duration?) async throws(RedisError)
        -> [RedisReply]
    {
        do {
            return try await pool(node).pipeline(commands, timeout: timeout)
        } catch {
            if error.code == .connectionFailed || error.code == .connectionClosed { startRefresh() }
            throw error
        }
    }

    /// The slot map, read from a node when there is none yet.
    private func slotMap() async throws(RedisError) -> RedisSlotMap {
        if let map = state.withLock({ $0.map }) { return map }
        return try await refreshedMap()
    }

    /// Reloads the map in the background (at most one reload at a time).
    private func startRefresh() {
        _ = refreshTask()
    }

    private func refreshedMap() async throws(RedisError) -> RedisSlotMap {
        let task = refreshTask()
        do {
            return try await task.value
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError(
                code: .connectionFailed, message: "\(error)", endpoint: config.endpoint, command: "CLUSTER")
        }
    }

    private func refreshTask() -> Task<RedisSlotMap, any Error> {
        state.withLock { state in
            if let running = state.refresh { return running }
            let candidates = Self.candidates(known: state.map?.masters ?? [], seeds: config.nodes)
            let task = Task<RedisSlotMap, any Error> {
                defer { self.state.withLock { $0.refresh = nil } }
                let map = try await self.loadMap(from: candidates)
                self.state.withLock { $0.map = map }
                return map
            }
            state.refresh = task
            return task
        }
    }

    /// Masters it knows first (they are current), then the configured seeds.
    static func candidates(known: [RedisEndpoint], seeds: [RedisEndpoint]) -> [RedisEndpoint] {
        var candidates = known
        for seed in seeds where !candidates.contains(seed) { candidates.append(seed) }
        return candidates
    }

    /// CLUSTER SLOTS from the first candidate that answers with every slot covered; a map with
    /// uncovered slots (a failover under way) only when no node has a full one.
    private func loadMap(from candidates: [RedisEndpoint]) async throws(RedisError) -> RedisSlotMap {
        var partial: RedisSlotMap?
        var lastError = RedisError(
            code: .connectionFailed, message: "no cluster node configured (redis.nodes)", endpoint: config.endpoint,
            command: "CLUSTER")
        for candidate in candidates {
            do {
                let reply = try await pool(candidate).pipeline([RedisCommand("CLUSTER", "SLOTS")], timeout: nil)
                guard let first = reply.first else { continue }
                let map = try RedisSlotMap(
                    clusterSlots: first.throwingError(endpoint: candidate.description, command: "CLUSTER"),
                    from: candidate)
                if map.uncoveredSlots == 0 {
                    logger.debug("Redis cluster slot map loaded", metadata: [RedisLogKeys.endpoint: "\(candidate)"])
                    return map
                }
                if partial == nil { partial = map }
            } catch {
                lastError = error
            }
        }
        if let partial { return partial }
        logger.warning(
            "Could not read the Redis cluster slot map",
            metadata: [RedisLogKeys.endpoint: "\(config.endpoint)", RedisLogKeys.error: "\(lastError.message)"])
        throw lastError
    }

    private func pool(_ endpoint: RedisEndpoint) -> RedisNodePool {
        state.withLock { state in
            if let pool = state.pools[endpoint] { return pool }
            let pool = RedisNodePool(config: config.node(endpoint), logger: logger)
            state.pools[endpoint] = pool
            return pool
        }
    }

    private func sleep(_ duration: Duration) async throws(RedisError) {
        do {
            try await Task.sleep(for: duration)
        } catch {
            throw RedisError(
                code: .timeout, message: "cancelled while waiting for the cluster", endpoint: config.endpoint)
        }
    }
}

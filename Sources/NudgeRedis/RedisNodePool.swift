import Logging
import Synchronization

/// The connections to one Redis server, each on its own thread: a standalone Redis, or one
/// node of a cluster. Runs pipelines on the least busy connection and loads scripts the server
/// does not have cached.
final class RedisNodePool: Sendable {
    let config: RedisConfig
    private let connections: [RedisConnection]
    private let load: Mutex<PoolLoad>
    private let logger: Logger

    init(config: RedisConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        let size = max(1, config.poolSize)
        self.connections = (0..<size).map { RedisConnection(config: config, index: $0, logger: logger) }
        self.load = Mutex(PoolLoad(size: size))
    }

    /// All commands in one round trip on one connection, replies in order; error replies are
    /// returned. EVALSHA commands whose script is not cached on the server are retried once
    /// after SCRIPT LOAD; they then run after the rest of the pipeline.
    func pipeline(_ commands: [RedisCommand], timeout: Duration?) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        var replies = try await execute(commands, timeout: timeout)
        let missing = commands.indices.filter { commands[$0].script != nil && replies[$0].isNoScript }
        if missing.isEmpty { return replies }

        // NOSCRIPT means the command did not run, so running it again cannot run it twice.
        var scripts: [RedisScript] = []
        for index in missing {
            if let script = commands[index].script, !scripts.contains(script) { scripts.append(script) }
        }
        logger.debug(
            "Redis scripts not cached; loading them and retrying",
            metadata: [
                RedisLogKeys.endpoint: "\(config.endpoint)",
                RedisLogKeys.scriptSHA: "\(scripts.map(\.sha1).joined(separator: ","))",
            ]
        )
        let retried = try await execute(scripts.map(\.loadCommand) + missing.map { commands[$0] }, timeout: timeout)
        for (offset, index) in missing.enumerated() {
            var reply = retried[scripts.count + offset]
            // A script that does not compile stays NOSCRIPT; SCRIPT LOAD's error says why.
            if reply.isNoScript, let script = commands[index].script, let position = scripts.firstIndex(of: script),
                case .error = retried[position]
            {
                reply = retried[position]
            }
            replies[index] = reply
        }
        return replies
    }

    /// Runs a batch on the least busy connection.
    private func execute(_ commands: [RedisCommand], timeout: Duration?) async throws(RedisError) -> [RedisReply] {
        let index = load.withLock { $0.lease() }
        defer { load.withLock { $0.release(index) } }
        return try await connections[index].execute(commands, timeout: timeout)
    }
}

/// Batches in flight per connection. A new batch goes to the least busy connection (ties
/// rotate), so one slow command (BLPOP, a big pipeline) does not hold up the others.
struct PoolLoad: Sendable {
    private var inFlight: [Int]
    private var next = 0

    init(size: Int) { inFlight = Array(repeating: 0, count: size) }

    mutating func lease() -> Int {
        var best = next
        for step in 0..<inFlight.count {
            let candidate = (next + step) % inFlight.count
            if inFlight[candidate] < inFlight[best] { best = candidate }
        }
        inFlight[best] += 1
        next = (best + 1) % inFlight.count
        return best
    }

    mutating func release(_ index: Int) { inFlight[index] -= 1 }
}

extension RedisReply {
    var isNoScript: Bool { errorMessage?.hasPrefix("NOSCRIPT") ?? false }
}

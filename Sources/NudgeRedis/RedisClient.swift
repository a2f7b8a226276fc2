import Logging

/// The Redis client of a process: a standalone Redis (a small pool of connections, each on its
/// own thread) or a Redis Cluster (a pool per node, commands routed by key slot), as
/// `RedisConfig.mode` says; callers use both the same way. Connections open lazily on first use
/// and reconnect by themselves after a restart or a break. Every error thrown is a `RedisError`.
public final class RedisClient: Sendable {
    public let config: RedisConfig
    private let backend: Backend
    private let logger: Logger

    private enum Backend: Sendable {
        case standalone(RedisNodePool)
        case cluster(RedisCluster)
    }

    public init(config: RedisConfig = RedisConfig(), logger: Logger = Logger(label: "nudge.redis")) {
        self.config = config
        self.logger = logger
        switch config.mode {
        case .standalone: backend = .standalone(RedisNodePool(config: config, logger: logger))
        case .cluster: backend = .cluster(RedisCluster(config: config, logger: logger))
        }
    }

    /// Runs one command. An error reply is thrown as `RedisError(.serverError)` with the server's message.
    /// `timeout` overrides the configured command timeout, e.g. for a blocking BLPOP.
    public func send(_ command: RedisCommand, timeout: Duration? = nil) async throws -> RedisReply {
        let replies = try await pipeline([command], timeout: timeout)
        guard let reply = replies.first else {
            throw RedisError(
                code: .protocolError, message: "no reply", endpoint: config.endpoint, command: command.name)
        }
        return try reply.throwingError(endpoint: config.endpoint, command: command.name)
    }

    /// `send(RedisCommand(name, arguments...))`.
    public func send<each Argument: RedisArgumentConvertible>(
        _ name: String,
        _ argument: repeat each Argument
    ) async throws -> RedisReply {
        try await send(RedisCommand(name, repeat each argument))
    }

    /// Sends all commands and returns their replies in order. Error replies are returned as
    /// `.error`, so each command's outcome is visible; I/O errors and timeouts throw. EVALSHA
    /// commands whose script is not cached on the server are retried once after SCRIPT LOAD;
    /// they then run after the rest of their batch.
    ///
    /// Standalone: one round trip on one connection, run in order. Cluster: one batch per node
    /// (in order on each node), the nodes concurrently, so commands on different slots have no
    /// order between them; use `pipeline(stages:)` where that order matters. A command without
    /// keys (WAIT) goes with the command before it. A command whose keys are in different slots
    /// throws `RedisError(.crossSlot)` before anything is sent.
    public func pipeline(_ commands: [RedisCommand], timeout: Duration? = nil) async throws -> [RedisReply] {
        switch backend {
        case .standalone(let pool): try await pool.pipeline(commands, timeout: timeout)
        case .cluster(let cluster): try await cluster.pipeline(commands, timeout: timeout)
        }
    }

    /// Runs stages one after the other: every command of a stage has run before the next stage
    /// starts, on a cluster too. Standalone sends all stages in one round trip (a connection runs
    /// commands in order anyway). Returns each stage's replies.
    public func pipeline(stages: [[RedisCommand]], timeout: Duration? = nil) async throws -> [[RedisReply]] {
        switch backend {
        case .standalone(let pool):
            var replies = try await pool.pipeline(stages.flatMap { $0 }, timeout: timeout)[...]
            return stages.map { stage in
                defer { replies = replies.dropFirst(stage.count) }
                return Array(replies.prefix(stage.count))
            }
        case .cluster(let cluster):
            var results: [[RedisReply]] = []
            for stage in stages { results.append(try await cluster.pipeline(stage, timeout: timeout)) }
            return results
        }
    }

    /// Runs `script` with EVALSHA, loading it on NOSCRIPT and retrying once. A script error is
    /// thrown as `RedisError(.serverError)`.
    public func eval(
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        args: [RedisArgument] = []
    ) async throws -> RedisReply {
        try await send(.evalSHA(script, keys: keys, args: args))
    }

    /// Loads `script` into the server's cache ahead of use (e.g. at start-up, to fail early on
    /// syntax errors); on a cluster into every master's.
    public func load(_ script: RedisScript) async throws {
        for (endpoint, replies) in try await onEachServer([script.loadCommand]) {
            guard try replies[0].throwingError(endpoint: endpoint, command: "SCRIPT").string == script.sha1 else {
                throw RedisError(
                    code: .protocolError, message: "SCRIPT LOAD returned an unexpected SHA-1",
                    endpoint: endpoint, command: "SCRIPT"
                )
            }
        }
    }

    /// Round trip to the server (every master of a cluster); throws when one cannot be reached.
    public func ping() async throws {
        for (endpoint, replies) in try await onEachServer([RedisCommand("PING")]) {
            try replies[0].throwingError(endpoint: endpoint, command: "PING")
        }
    }

    /// The masters a cluster client routes to now (reading the slot map if it has none yet);
    /// standalone, the one server.
    public func masters() async throws -> [RedisEndpoint] {
        switch backend {
        case .standalone: [RedisEndpoint(host: config.host, port: config.port)]
        case .cluster(let cluster): try await cluster.masters()
        }
    }

    /// `commands` on the server, or on each master of a cluster, unrouted (keyless commands such as
    /// PING, SCRIPT LOAD, SCAN, DBSIZE). Returns each node's replies.
    public func onEachServer(_ commands: [RedisCommand], timeout: Duration? = nil) async throws -> [(
        endpoint: String, replies: [RedisReply]
    )] {
        switch backend {
        case .standalone(let pool):
            return [(config.endpoint, try await pool.pipeline(commands, timeout: timeout))]
        case .cluster(let cluster):
            var results: [(endpoint: String, replies: [RedisReply])] = []
            for master in try await cluster.masters() {
                results.append((master.description, try await cluster.pipeline(commands, on: master, timeout: timeout)))
            }
            return results
        }
    }
}

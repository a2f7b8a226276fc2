import Logging
import Synchronization

/// The Redis client of a process: a small pool of connections, each on its own thread.
/// Connections open lazily on first use and reconnect by themselves after a restart or a break.
/// Every error thrown is a `RedisError`.
public final class RedisClient: Sendable {
    public let config: RedisConfig
    private let connections: [RedisConnection]
    private let load: Mutex<PoolLoad>
    private let logger: Logger

    public init(config: RedisConfig = RedisConfig(), logger: Logger = Logger(label: "nudge.redis")) {
        self.config = config
        self.logger = logger
        let size = max(1, config.poolSize)
        self.connections = (0..<size).map { RedisConnection(config: config, index: $0, logger: logger) }
        self.load = Mutex(PoolLoad(size: size))
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

    /// Sends all commands in one round trip on one connection and returns their replies in order.
    /// Error replies are returned as `.error`, so each command's outcome is visible; I/O errors
    /// and timeouts throw. EVALSHA commands whose script is not cached on the server are retried
    /// once after SCRIPT LOAD; they then run after the rest of the pipeline.
    public func pipeline(_ commands: [RedisCommand], timeout: Duration? = nil) async throws -> [RedisReply] {
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
            metadata: [RedisLogKeys.scriptSHA: "\(scripts.map(\.sha1).joined(separator: ","))"]
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

    /// Runs `script` with EVALSHA, loading it on NOSCRIPT and retrying once. A script error is
    /// thrown as `RedisError(.serverError)`.
    public func eval(
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        args: [RedisArgument] = []
    ) async throws -> RedisReply {
        try await send(.evalSHA(script, keys: keys, args: args))
    }

    /// Loads `script` into the server's cache ahead of use (e.g. at start-up, to fail early on syntax errors).
    public func load(_ script: RedisScript) async throws {
        let reply = try await send(script.loadCommand)
        guard reply.string == script.sha1 else {
            throw RedisError(
                code: .protocolError, message: "SCRIPT LOAD returned an unexpected SHA-1",
                endpoint: config.endpoint, command: "SCRIPT"
            )
        }
    }

    /// Round trip to the server; throws when it cannot be reached.
    public func ping() async throws {
        _ = try await send(RedisCommand("PING"))
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

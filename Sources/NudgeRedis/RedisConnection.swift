import CHiredis
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One hiredis context. The actor runs on its own serial queue (`RedisQueueExecutor`), so the
/// blocking hiredis calls below run there and never on the cooperative pool; callers just `await`.
///
/// Batches that callers hand in while a round trip is in flight wait in `waiting` and all go out
/// together in the next one (one write, then their replies in order), so concurrent callers (the
/// engine's partition workers, content requests) share round trips instead of queueing one each.
/// Redis runs a connection's commands in the order they arrive and answers in that order, and
/// every batch stays contiguous, so each caller sees exactly the replies of its own commands.
actor RedisConnection {
    private let config: RedisConfig
    private let logger: Logger
    private let executor: RedisQueueExecutor
    /// Owned by this actor: freed when the connection is dropped and in `deinit`.
    private var context: UnsafeMutablePointer<redisContext>?
    /// Read/write timeout now set on the socket, to skip redundant setsockopt calls.
    private var socketTimeout: Duration?
    /// Batches not yet sent, and whether a drain is running that will send them.
    private nonisolated let waiting = Mutex(WaitingBatches())

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(config: RedisConfig, index: Int, logger: Logger) {
        self.config = config
        self.executor = RedisQueueExecutor(label: "nudge.redis.connection.\(index)")
        var logger = logger
        logger[metadataKey: RedisLogKeys.endpoint] = "\(config.endpoint)"
        logger[metadataKey: RedisLogKeys.connection] = "\(index)"
        self.logger = logger
        Self.ignoreSIGPIPE
    }

    /// Isolated, so the context is freed on the connection's own queue like every other use of it.
    isolated deinit {
        if let context { redisFree(context) }
    }

    /// hiredis writes with write(2): a write to a socket the server closed would raise SIGPIPE and
    /// kill the process, so it is ignored process-wide once (the write then fails with EPIPE).
    private static let ignoreSIGPIPE: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Sends all commands in one round trip (shared with other callers' batches waiting at the
    /// same time) and reads one reply each, in order. Error replies are returned, not thrown. A
    /// broken or timed-out connection is dropped and the commands are not resent (they may have
    /// run); the next call reconnects.
    nonisolated func execute(_ commands: [RedisCommand], timeout: Duration?) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let outcome = await withCheckedContinuation { continuation in
            let startsDrain = waiting.withLock { state in
                state.batches.append(WaitingBatch(commands: commands, timeout: timeout, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if startsDrain { Task { await self.drain() } }
        }
        return try outcome.get()
    }

    /// Sends what is waiting, then what arrived meanwhile, until nothing waits.
    private func drain() {
        while true {
            let batches = waiting.withLock { state in
                if state.batches.isEmpty { state.draining = false }
                defer { state.batches.removeAll(keepingCapacity: true) }
                return state.batches
            }
            if batches.isEmpty { return }
            send(batches)
        }
    }

    /// One round trip for `batches`; each caller gets its own replies, or the error that cut its
    /// replies short (batches whose replies all arrived before a break still succeed).
    private func send(_ batches: [WaitingBatch]) {
        let context: UnsafeMutablePointer<redisContext>
        do {
            context = try connectedContext()
        } catch {
            for batch in batches {
                var error = error
                error.command = error.command ?? batch.commands[0].name
                batch.continuation.resume(returning: .failure(error))
            }
            return
        }
        let commands = batches.count == 1 ? batches[0].commands : batches.flatMap(\.commands)
        var next = 0
        var position = 0
        do {
            try Self.append(
                commands, on: context, timeout: WaitingBatch.sharedTimeout(batches, default: config.commandTimeout),
                socketTimeout: &socketTimeout, endpoint: config.endpoint)
            // Each caller resumes as soon as its own replies are in, not after the whole round trip.
            while next < batches.count {
                var replies: [RedisReply] = []
                replies.reserveCapacity(batches[next].commands.count)
                for command in batches[next].commands {
                    replies.append(
                        try Self.readReply(
                            on: context, command: command.name, position: position, of: commands.count,
                            endpoint: config.endpoint))
                    position += 1
                }
                batches[next].continuation.resume(returning: .success(replies))
                next += 1
            }
        } catch {
            logger.warning(
                "Redis command failed; dropping the connection",
                metadata: [
                    RedisLogKeys.command: "\(error.command ?? "")",
                    RedisLogKeys.pipelineSize: "\(commands.count)",
                    RedisLogKeys.errorCode: "\(error.code)",
                    RedisLogKeys.error: "\(error.message)",
                ]
            )
            dropContext()
            for batch in batches[next...] { batch.continuation.resume(returning: .failure(error)) }
        }
    }

    private func dropContext() {
        if let context { redisFree(context) }
        context = nil
        socketTimeout = nil
    }

    /// The live context, reconnecting with bounded attempts and backoff when there is none.
    private func connectedContext() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        if let context {
            if context.pointee.err == 0, !Self.peerClosed(context.pointee.fd) { return context }
            // Nothing was sent yet, so reconnecting here cannot run anything twice.
            logger.info("Redis connection was closed by the server; reconnecting")
            dropContext()
        }
        let attempts = max(1, config.reconnectAttempts)
        var lastError = RedisError(code: .connectionFailed, message: "not connected", endpoint: config.endpoint)
        for attempt in 1...attempts {
            if attempt > 1 {
                let backoff = config.reconnectBackoff * (1 << min(attempt - 2, 10))
                Thread.sleep(forTimeInterval: backoff.seconds)
            }
            do {
                let context = try connect()
                self.context = context
                logger.debug("Connected to Redis", metadata: [RedisLogKeys.attempt: "\(attempt)"])
                return context
            } catch {
                lastError = error
                logger.debug(
                    "Redis connect attempt failed",
                    metadata: [RedisLogKeys.attempt: "\(attempt)", RedisLogKeys.error: "\(error.message)"]
                )
            }
        }
        logger.warning(
            "Could not connect to Redis",
            metadata: [RedisLogKeys.attempt: "\(attempts)", RedisLogKeys.error: "\(lastError.message)"]
        )
        throw lastError
    }

    /// A fresh context with keepalive, the command timeout, AUTH and SELECT as configured.
    private func connect() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        let endpoint = config.endpoint
        guard
            let context = redisConnectWithTimeout(
                config.host, Int32(clamping: config.port), config.connectTimeout.timeval)
        else {
            throw RedisError(code: .connectionFailed, message: "could not allocate a context", endpoint: endpoint)
        }
        if context.pointee.err != 0 {
            let reason = Self.errorString(context)
            redisFree(context)
            throw RedisError(code: .connectionFailed, message: "connect failed: \(reason)", endpoint: endpoint)
        }
        _ = redisEnableKeepAlive(context)

        var setup: [RedisCommand] = []
        if let password = config.password { setup.append(RedisCommand("AUTH", password)) }
        if config.database != 0 { setup.append(RedisCommand("SELECT", config.database)) }
        var timeout: Duration?
        do {
            let replies = try Self.roundTrip(
                setup, on: context, timeout: config.connectTimeout, socketTimeout: &timeout, endpoint: endpoint
            )
            for (command, reply) in zip(setup, replies) {
                // The server's message names the problem (WRONGPASS, DB index out of range), not the secret.
                try reply.throwingError(endpoint: endpoint, command: command.name)
            }
        } catch {
            redisFree(context)
            throw RedisError(
                code: .connectionFailed, message: "connection setup failed: \(error.message)",
                endpoint: endpoint, command: error.command
            )
        }
        socketTimeout = timeout
        return context
    }

    /// Appends every command, then reads as many replies. Throws on I/O and protocol errors, after
    /// which the context is unusable.
    private static func roundTrip(
        _ commands: [RedisCommand],
        on context: UnsafeMutablePointer<redisContext>,
        timeout: Duration,
        socketTimeout: inout Duration?,
        endpoint: String
    ) throws(RedisError) -> [RedisReply] {
        try append(commands, on: context, timeout: timeout, socketTimeout: &socketTimeout, endpoint: endpoint)
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for (position, command) in commands.enumerated() {
            replies.append(
                try readReply(
                    on: context, command: command.name, position: position, of: commands.count, endpoint: endpoint))
        }
        return replies
    }

    /// Puts every command in the context's output buffer as one pre-formatted write; the first
    /// `readReply` sends it.
    private static func append(
        _ commands: [RedisCommand],
        on context: UnsafeMutablePointer<redisContext>,
        timeout: Duration,
        socketTimeout: inout Duration?,
        endpoint: String
    ) throws(RedisError) {
        guard !commands.isEmpty else { return }
        if socketTimeout != timeout {
            guard redisSetTimeout(context, timeout.timeval) == REDIS_OK else {
                throw failure(context, errno: errno, command: commands[0].name, endpoint: endpoint, detail: "")
            }
            socketTimeout = timeout
        }
        let wire = commands.respEncoded()
        let appended = wire.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                redisAppendFormattedCommand(context, chars.baseAddress, chars.count)
            }
        }
        guard appended == REDIS_OK else {
            throw failure(context, errno: errno, command: commands[0].name, endpoint: endpoint, detail: "")
        }
    }

    /// The next reply (sending what is still buffered first), copied out of hiredis memory.
    /// `position` of `count` names the reply in errors.
    private static func readReply(
        on context: UnsafeMutablePointer<redisContext>,
        command: String,
        position: Int,
        of count: Int,
        endpoint: String
    ) throws(RedisError) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            let detail = count > 1 ? " (reply \(position + 1) of \(count))" : ""
            throw failure(context, errno: errno, command: command, endpoint: endpoint, detail: detail)
        }
        defer { freeReplyObject(raw) }
        do {
            return try RedisReply.copying(raw.assumingMemoryBound(to: redisReply.self))
        } catch {
            throw RedisError(code: error.code, message: error.message, endpoint: endpoint, command: command)
        }
    }

    /// Maps a failed hiredis call to a typed error. `errno` must be read right after the call.
    private static func failure(
        _ context: UnsafeMutablePointer<redisContext>,
        errno savedErrno: Int32,
        command: String,
        endpoint: String,
        detail: String
    ) -> RedisError {
        let reason = errorString(context)
        let notRetried = "; the command may have run and was not retried"
        let (code, message): (RedisError.Code, String) =
            switch context.pointee.err {
            case REDIS_ERR_IO where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK:
                (.timeout, "no reply within the command timeout\(detail)\(notRetried)")
            case REDIS_ERR_IO, REDIS_ERR_EOF:
                (.connectionClosed, "connection lost: \(reason)\(detail)\(notRetried)")
            case REDIS_ERR_PROTOCOL:
                (.protocolError, "protocol error: \(reason)\(detail)")
            default:
                (.protocolError, "hiredis error: \(reason)\(detail)")
            }
        return RedisError(code: code, message: message, endpoint: endpoint, command: command)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// True when the server closed the socket (restart, idle timeout) or it is otherwise unusable.
    /// A non-blocking peek costs one syscall and lets an idle connection reconnect before sending.
    private static func peerClosed(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        if count == 0 { return true }  // orderly close
        if count > 0 { return true }  // unsolicited bytes: the stream is out of step
        return !(errno == EAGAIN || errno == EWOULDBLOCK)
    }
}

extension Duration {
    /// For socket timeouts: negative durations become zero, which the kernel reads as "no timeout".
    var timeval: timeval {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return Glibc.timeval(tv_sec: 0, tv_usec: 0) }
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

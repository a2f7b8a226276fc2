import Logging
import NudgeRedis

/// A token bucket per connector, kept in Redis so every dispatcher process draws from the same
/// one: a provider promised 200 messages a second gets 200 a second from the whole deployment,
/// not 200 from each process. Callers over the limit wait for their turn (the outbound topic is
/// the queue); nothing is dropped, and no more than `burst` goes out at once.
public struct ProviderRateLimiter: Sendable {
    public struct Limit: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Int

        public init(perSecond: Double, burst: Int) {
            self.perSecond = perSecond
            self.burst = max(1, burst)
        }
    }

    /// Refills by elapsed server time (Redis `TIME`, so dispatchers' clocks do not matter), takes
    /// the tokens if there are enough, else says how long until there will be.
    /// KEYS: bucket hash. ARGV: rate per second, burst, tokens wanted.
    /// Returns milliseconds to wait: 0 when granted.
    static let takeScript = RedisScript(
        """
        local rate = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local want = tonumber(ARGV[3])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local tokens = tonumber(redis.call('HGET', KEYS[1], 't') or burst)
        local last = tonumber(redis.call('HGET', KEYS[1], 'l') or now)
        tokens = math.min(burst, tokens + math.max(0, now - last) * rate / 1000)
        local wait = 0
        if tokens >= want then
            tokens = tokens - want
        else
            wait = math.ceil((want - tokens) * 1000 / rate)
        end
        redis.call('HSET', KEYS[1], 't', tostring(tokens), 'l', tostring(now))
        redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 60000)
        return wait
        """)

    private let redis: RedisClient
    private let keyPrefix: String

    public init(redis: RedisClient, keyPrefix: String = "nudge") {
        self.redis = redis
        self.keyPrefix = keyPrefix
    }

    func key(_ connector: String) -> String { "\(keyPrefix):ratelimit:{\(connector)}" }

    /// Waits until the connector may take one more message, then takes it.
    public func acquire(connector: String, limit: Limit) async throws {
        while true {
            let wait = try await tryAcquire(connector: connector, limit: limit)
            if wait == .zero { return }
            try await Task.sleep(for: wait)
        }
    }

    /// Takes a token if one is there; otherwise how long until one will be (nothing taken).
    public func tryAcquire(connector: String, limit: Limit) async throws -> Duration {
        let reply = try await redis.eval(
            Self.takeScript, keys: [RedisArgument(key(connector))],
            args: [RedisArgument(limit.perSecond), RedisArgument(limit.burst), 1])
        return .milliseconds(try reply.throwingError().int ?? 0)
    }
}

import Foundation
import Logging
import NudgeRedis
import Testing

@testable import Dispatcher

@Suite("Provider rate limits shared through Redis", .timeLimit(.minutes(2)))
struct ProviderRateLimiterTests {
    static func client() -> RedisClient {
        let env = ProcessInfo.processInfo.environment
        return RedisClient(
            config: RedisConfig(
                host: env["NUDGE_REDIS_HOST"] ?? "127.0.0.1", port: env["NUDGE_REDIS_PORT"].flatMap(Int.init) ?? 16379),
            logger: Logger(label: "nudge.tests.dispatch"))
    }

    @Test func twoDispatchersTogetherNeverExceedTheLimit() async throws {
        let connector = "sms-\(UUID().uuidString.prefix(8))"
        // A burst of 40 (0.2 s of tokens) lets a dispatcher that the busy test machine stalls
        // catch up, as a real one would; the limit is still what the window shows.
        let limit = ProviderRateLimiter.Limit(perSecond: 200, burst: 40)
        let clock = ContinuousClock()
        let start = clock.now
        let duration: Duration = .seconds(6)
        // Two dispatchers, each with its own connection, both wanting far more than the limit.
        // Each notes when it was granted.
        let grants = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for _ in 0..<2 {
                let limiter = ProviderRateLimiter(redis: Self.client(), keyPrefix: "test")
                group.addTask {
                    var times: [Duration] = []
                    while clock.now - start < duration {
                        try await limiter.acquire(connector: connector, limit: limit)
                        times.append(clock.now - start)
                    }
                    return times
                }
            }
            return try await group.reduce([], +)
        }
        // A token bucket grants at most `burst + rate * t` over any span t. Recorded times can
        // only lag the grants (a stalled task notes its grant late), which loosens this bound
        // and never tightens it, so a busy machine cannot make it fail; a limiter that lets
        // the two dispatchers each have the full rate does.
        let last = try #require(grants.max())
        let elapsed = Double(last.components.seconds) + Double(last.components.attoseconds) / 1e18
        let allowed = Double(limit.burst) + limit.perSecond * elapsed
        #expect(Double(grants.count) <= allowed, "\(grants.count) grants in \(elapsed) s; at most \(allowed) allowed")
        // What the window shows after the first second, for the record (speed is the load
        // test's business, not an assertion here).
        let steady = grants.filter { $0 >= .seconds(1) }
        print(
            "two dispatchers, 200/s limit: \(Double(steady.count) / max(elapsed - 1, 0.001)) messages/s after second 1")
        // The bucket refills: grants go on past the initial burst.
        #expect(steady.count > 0)
    }

    @Test func aBurstIsCappedAndTheRestWaits() async throws {
        let limiter = ProviderRateLimiter(redis: Self.client(), keyPrefix: "test")
        let connector = "push-\(UUID().uuidString.prefix(8))"
        // Slow refill (one token per 20 s), so the burst is what the first calls get even when a
        // busy machine spreads them over seconds.
        let limit = ProviderRateLimiter.Limit(perSecond: 0.05, burst: 5)
        var immediate = 0
        for _ in 0..<8 where try await limiter.tryAcquire(connector: connector, limit: limit) == .zero {
            immediate += 1
        }
        #expect(immediate == 5)
        let wait = try await limiter.tryAcquire(connector: connector, limit: limit)
        #expect(wait > .zero && wait <= .seconds(20))
    }

    /// The dispatcher's chain draws from the bucket of the connector's own `rate_limit:` (the one
    /// place a provider limit is configured): after the burst is spent, the bucket is empty for
    /// everyone, so a connector without the limit applied would leave tokens behind.
    @Test func aConnectorChainSpendsItsConnectorsBucket() async throws {
        let name = "sms-\(UUID().uuidString.prefix(8))"
        let limit = ProviderRateLimiter.Limit(perSecond: 0.05, burst: 2)
        let config = ConnectorConfig(
            name: name, channel: "sms", kind: .http(HTTPSettings(url: "http://127.0.0.1:9/\(name)")), rateLimit: limit)
        let connector = Unit.ScriptedConnector(name, answers: [.success(DeliveryReceipt(providerMessageId: "p-1"))])
        let limiter = ProviderRateLimiter(redis: Self.client(), keyPrefix: "test")
        let chain = ConnectorChain(
            routes: [ConnectorRoute(config: config, connector: connector)], rateLimiter: limiter,
            logger: Logger(label: "nudge.tests.chain", factory: { _ in SwiftLogNoOpLogHandler() }))
        for id in ["m-1", "m-2"] {
            let outcome = try await chain.deliver(
                Unit.rendered(try Unit.outbound(messageId: id, channel: "sms")), recipient: { _ in .notNeeded })
            #expect(outcome.attempts == 1)
        }
        #expect(connector.calls == 2)
        let wait = try await limiter.tryAcquire(connector: name, limit: limit)
        #expect(wait > .zero, "the chain's two sends should have spent the burst of two")
    }
}

import EngineCore
import Logging

/// A connector with its delivery discipline: rate limit, retries with backoff, circuit breaker,
/// and the fallback connector for the same channel when it is down.
public struct ConnectorRoute: Sendable {
    public var config: ConnectorConfig
    public var connector: any MessageConnector
    public var breaker: CircuitBreaker

    public init(config: ConnectorConfig, connector: any MessageConnector) {
        self.config = config
        self.connector = connector
        self.breaker = CircuitBreaker(settings: config.breaker)
    }
}

/// How one message's delivery went: which connector took it (after any fallback), or why none did.
public struct DeliveryOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case sent(DeliveryReceipt)
        case failed(DeliveryFailure)
    }

    public var result: Result
    /// The connector that sent it, or the last one tried.
    public var connector: String
    public var attempts: Int
    /// Set when the message went out through a fallback: why the primary was passed over.
    public var fellBackFrom: (connector: String, reason: String)?

    public static func == (lhs: DeliveryOutcome, rhs: DeliveryOutcome) -> Bool {
        lhs.result == rhs.result && lhs.connector == rhs.connector && lhs.attempts == rhs.attempts
            && lhs.fellBackFrom?.connector == rhs.fellBackFrom?.connector
            && lhs.fellBackFrom?.reason == rhs.fellBackFrom?.reason
    }
}

/// Delivers through a primary route and, when it is down, its fallback chain.
public struct ConnectorChain: Sendable {
    let routes: [ConnectorRoute]
    let rateLimiter: ProviderRateLimiter?
    let random: @Sendable () -> Double
    let sleep: @Sendable (Duration) async throws -> Void
    let logger: Logger

    /// `routes`: primary first, then its fallbacks in order.
    public init(
        routes: [ConnectorRoute], rateLimiter: ProviderRateLimiter?, logger: Logger,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.routes = routes
        self.rateLimiter = rateLimiter
        self.random = random
        self.sleep = sleep
        self.logger = logger
    }

    /// How a route addresses the customer.
    public enum Recipient: Sendable, Equatable {
        /// The connector needs no address (Kafka hand-off, on-site content).
        case notNeeded
        case address(String)
        /// The path the connector reads its address from has nothing.
        case missing(path: String)
    }

    /// `recipient` resolves a route's recipient path in the render context; `handingOver` runs
    /// when a route's connector is about to hand the message over (the ledger records it). When
    /// it fails the delivery stops with its error: nothing was handed over.
    public func deliver(
        _ message: RenderedMessage, recipient: (ConnectorConfig) -> Recipient,
        handingOver: @escaping @Sendable (ConnectorConfig) async throws -> Void = { _ in }
    ) async throws -> DeliveryOutcome {
        var passedOver: (connector: String, reason: String)?
        var attemptsSoFar = 0
        var lastFailure = DeliveryFailure.permanent("no connector")
        var lastConnector = routes.first?.config.name ?? "none"
        for route in routes {
            let name = route.config.name
            lastConnector = name
            let address: String?
            switch recipient(route.config) {
            case .notNeeded: address = nil
            case .address(let found): address = found
            case .missing(let path):
                // A connector of the chain may address customers differently; try the next.
                lastFailure = .permanent("no recipient: \(path) is missing")
                passedOver = passedOver ?? (name, lastFailure.reason)
                continue
            }
            guard route.breaker.allow(now: .now) else {
                lastFailure = .transient("circuit breaker open")
                passedOver = passedOver ?? (name, lastFailure.reason)
                continue
            }
            let (result, attempts) = try await attempt(route, message, recipient: address, handingOver: handingOver)
            attemptsSoFar += attempts
            switch result {
            case .success(let receipt):
                return DeliveryOutcome(
                    result: .sent(receipt), connector: name, attempts: attemptsSoFar, fellBackFrom: passedOver)
            case .failure(let failure):
                lastFailure = failure
                // A 4xx is about the message, not the provider: another provider would refuse it too.
                if failure.kind == .permanent {
                    return DeliveryOutcome(
                        result: .failed(failure), connector: name, attempts: attemptsSoFar, fellBackFrom: passedOver)
                }
                passedOver = passedOver ?? (name, failure.reason)
            }
        }
        return DeliveryOutcome(
            result: .failed(lastFailure), connector: lastConnector, attempts: attemptsSoFar,
            fellBackFrom: passedOver?.connector == lastConnector ? nil : passedOver)
    }

    private func attempt(
        _ route: ConnectorRoute, _ message: RenderedMessage, recipient: String?,
        handingOver: @escaping @Sendable (ConnectorConfig) async throws -> Void
    ) async throws -> (Result<DeliveryReceipt, DeliveryFailure>, Int) {
        var attempts = 0
        var failure = DeliveryFailure.transient("not tried")
        for attempt in 1...route.config.retry.attempts {
            if attempt > 1 {
                try await sleep(route.config.retry.delay(beforeRetry: attempt - 1, unit: random()))
                guard route.breaker.allow(now: .now) else { break }
            }
            if let limit = route.config.rateLimit, let rateLimiter {
                do {
                    try await rateLimiter.acquire(connector: route.config.name, limit: limit)
                } catch {
                    route.breaker.recordNeutral(now: .now)
                    throw error
                }
            }
            attempts += 1
            let mark = HandOverMark { try await handingOver(route.config) }
            do {
                let receipt = try await route.connector.deliver(message, recipient: recipient) {
                    () async throws(DeliveryFailure) in try await mark.run()
                }
                route.breaker.recordSuccess()
                return (.success(receipt), attempts)
            } catch {
                // The ledger could not record the hand-over, so nothing was handed over: not the
                // provider's fault. The dispatcher retries the batch once the ledger answers.
                // Cancelled (the batch failed elsewhere, or shutdown): not the provider's fault either.
                if Task.isCancelled {
                    route.breaker.recordNeutral(now: .now)
                    throw CancellationError()
                }
                if let ledgerFailure = mark.failure {
                    route.breaker.recordNeutral(now: .now)
                    throw DispatchError.ledger("cannot record the hand-over to \(route.config.name): \(ledgerFailure)")
                }
                failure = error
                guard error.kind == .transient else {
                    route.breaker.recordNeutral(now: .now)
                    return (.failure(error), attempts)
                }
                route.breaker.recordFailure(now: .now)
                logger.warning(
                    "delivery attempt failed",
                    metadata: [
                        DispatchLogKeys.connector: "\(route.config.name)",
                        DispatchLogKeys.messageId: "\(message.message.messageId)",
                        DispatchLogKeys.attempt: "\(attempt)", DispatchLogKeys.error: "\(error.reason)",
                    ])
            }
        }
        return (.failure(failure), attempts)
    }
}

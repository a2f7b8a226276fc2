/// How often and how patiently a connector retries a transient failure (5xx, timeout, connection
/// refused). Exponential backoff with full jitter: waits spread out so many dispatchers retrying
/// one recovering provider do not hit it in lockstep. 4xx answers are never retried.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in all, the first included.
    public var attempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(attempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5)) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before retry number `retry` (1 = the first retry): uniformly in
    /// [0, min(maxDelay, baseDelay * 2^(retry-1))]. `unit` is a random number in [0, 1), passed
    /// in so the policy itself stays deterministic and testable.
    public func delay(beforeRetry retry: Int, unit: Double) -> Duration {
        let exponent = min(max(0, retry - 1), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        return ceiling * min(max(unit, 0), 1)
    }
}

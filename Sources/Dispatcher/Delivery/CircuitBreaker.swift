import Synchronization

/// One connector's circuit breaker: after `failureThreshold` transient failures in a row it opens
/// and fails calls at once for `openFor` (the fallback connector takes over, the provider gets
/// room to recover); then one trial call is let through, and its outcome closes or reopens it.
/// Time is passed in (`now`), so the state machine is tested without waiting.
public final class CircuitBreaker: Sendable {
    public struct Settings: Sendable, Equatable {
        public var failureThreshold: Int
        public var openFor: Duration

        public init(failureThreshold: Int = 5, openFor: Duration = .seconds(30)) {
            self.failureThreshold = max(1, failureThreshold)
            self.openFor = openFor
        }
    }

    public enum State: Sendable, Equatable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        /// A trial call is out; others are refused until it reports.
        case halfOpen
    }

    private let settings: Settings
    private let state = Mutex<State>(.closed(failures: 0))

    public init(settings: Settings) {
        self.settings = settings
    }

    public var current: State { state.withLock { $0 } }

    /// Whether a call may go out now. In half-open state only one caller gets `true`.
    public func allow(now: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            switch state {
            case .closed: return true
            case .halfOpen: return false
            case .open(let until):
                guard now >= until else { return false }
                state = .halfOpen
                return true
            }
        }
    }

    public func recordSuccess() {
        state.withLock { $0 = .closed(failures: 0) }
    }

    /// A call that ended without a verdict on the provider's health (a permanent failure, a wait
    /// that threw): releases a half-open trial so that the next call can be one; otherwise nothing.
    public func recordNeutral(now: ContinuousClock.Instant) {
        state.withLock { state in
            if case .halfOpen = state { state = .open(until: now) }
        }
    }

    /// A transient failure (5xx, timeout, unreachable). Permanent ones (4xx) say nothing about the
    /// provider's health and are not recorded.
    public func recordFailure(now: ContinuousClock.Instant) {
        let settings = self.settings
        state.withLock { state in
            switch state {
            case .closed(let failures):
                state =
                    failures + 1 >= settings.failureThreshold
                    ? .open(until: now.advanced(by: settings.openFor)) : .closed(failures: failures + 1)
            case .halfOpen, .open:
                state = .open(until: now.advanced(by: settings.openFor))
            }
        }
    }
}

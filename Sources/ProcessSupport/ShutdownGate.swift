import Synchronization

/// Lets a graceful shutdown wait for the batch in progress: the consumer is closed (which ends
/// its event stream) only between batches, so the last batch still commits.
public final class ShutdownGate: Sendable {
    private struct State {
        var inBatch = false
        var stopRequested = false
    }

    private let state = Mutex(State())

    public init() {}

    /// False once a stop was requested: the batch is left for the next owner.
    public func beginBatch() -> Bool {
        state.withLock {
            guard !$0.stopRequested else { return false }
            $0.inBatch = true
            return true
        }
    }

    /// True when a stop arrived during the batch and the consumer should close now.
    public func endBatch() -> Bool {
        state.withLock {
            $0.inBatch = false
            return $0.stopRequested
        }
    }

    /// True when no batch is running and the consumer can close at once.
    public func requestStop() -> Bool {
        state.withLock {
            $0.stopRequested = true
            return !$0.inBatch
        }
    }
}

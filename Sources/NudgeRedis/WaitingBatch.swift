/// A caller's commands waiting for their connection's next round trip, and where their replies go.
struct WaitingBatch: Sendable {
    var commands: [RedisCommand]
    /// The caller's socket timeout, nil for the configured command timeout.
    var timeout: Duration?
    var continuation: CheckedContinuation<Result<[RedisReply], RedisError>, Never>

    /// The socket timeout of a round trip carrying `batches`: the longest any of them asked for, so
    /// no caller's blocking command is cut short by another's; `.zero` (no timeout) wins.
    static func sharedTimeout(_ batches: [WaitingBatch], default fallback: Duration) -> Duration {
        var longest = Duration.zero
        for batch in batches {
            let timeout = batch.timeout ?? fallback
            if timeout == .zero { return .zero }
            longest = max(longest, timeout)
        }
        return longest
    }
}

/// The batches waiting for a connection, and whether a drain already runs that will send them.
struct WaitingBatches: Sendable {
    var batches: [WaitingBatch] = []
    var draining = false
}

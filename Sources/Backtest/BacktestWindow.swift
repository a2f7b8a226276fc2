import EngineCore

/// The stretch of history a backtest replays: records whose Kafka timestamp falls in `[from, to)`.
/// The replay's clock starts at `from`; timers due up to `to` fire, later ones stay pending.
public struct BacktestWindow: Sendable, Equatable {
    public var from: Timestamp
    public var to: Timestamp

    public init(from: Timestamp, to: Timestamp) throws(BacktestError) {
        guard from < to else {
            throw BacktestError(
                .window, "--from \(ISO8601.format(from)) must be before --to \(ISO8601.format(to))")
        }
        self.from = from
        self.to = to
    }

    /// Parses `--from` / `--to` (ISO 8601, as events carry them).
    public init(from: String, to: String) throws(BacktestError) {
        guard let start = ISO8601.parse(from) else {
            throw BacktestError(.window, "--from '\(from)' is not an ISO 8601 time (2026-12-01T00:00:00Z)")
        }
        guard let end = ISO8601.parse(to) else {
            throw BacktestError(.window, "--to '\(to)' is not an ISO 8601 time (2026-12-02T00:00:00Z)")
        }
        try self.init(from: start, to: end)
    }
}

import SharedStores
import Metrics

/// The dispatcher's Prometheus series.
public struct DispatchMetrics: Sendable {
    /// Outbound records handled.
    let records = Counter(label: "nudge_dispatch_records_total")
    /// Replayed records whose message was already dispatched (nobody called).
    let replaysSkipped = Counter(label: "nudge_dispatch_replays_skipped_total")
    let batchSeconds = Timer(label: "nudge_dispatch_batch_seconds")

    public init() {}

    /// `nudge_dispatch_unknown_outcomes_total{connector,policy}`: messages found on recovery in
    /// the middle of their hand-over, by what `on_unknown` did with them.
    func countUnknownOutcome(connector: String, policy: ConnectorConfig.OnUnknown) {
        Counter(
            label: "nudge_dispatch_unknown_outcomes_total",
            dimensions: [("connector", connector), ("policy", policy.rawValue)]
        )
        .increment()
    }

    /// `nudge_dispatch_messages_total{connector,status}`.
    func count(connector: String, status: MessageStatus) {
        Counter(
            label: "nudge_dispatch_messages_total", dimensions: [("connector", connector), ("status", status.rawValue)]
        )
        .increment()
    }
}

import Metrics

/// The engine's Prometheus metrics (through swift-metrics).
struct EngineMetrics: Sendable {
    private let eventsIn = Counter(label: "nudge_engine_events_in_total")
    private let eventsInert = Counter(label: "nudge_engine_events_inert_total")
    private let replaysSkipped = Counter(label: "nudge_engine_replays_skipped_total")
    private let transitions = Counter(label: "nudge_engine_transitions_total")
    private let entered = Counter(label: "nudge_engine_instances_entered_total")
    private let completed = Counter(label: "nudge_engine_instances_completed_total")
    private let conversions = Counter(label: "nudge_engine_conversions_total")
    private let timersFired = Counter(label: "nudge_engine_timers_fired_total")
    private let timerLateness = Metrics.Timer(label: "nudge_engine_timer_lateness_seconds")
    private let forwarded = Counter(label: "nudge_engine_events_forwarded_total")
    let instancesActive = Gauge(label: "nudge_engine_instances_active")
    private let replanned = Counter(label: "nudge_engine_replan_customers_total")
    private let replanChanged = Counter(label: "nudge_engine_replan_customers_changed_total")
    private let replanKeysScanned = Counter(label: "nudge_engine_replan_keys_scanned_total")
    private let replansFinished = Counter(label: "nudge_engine_replans_finished_total")

    func record(_ stats: BatchStats) {
        // Inert events count as taken in too: they were consumed and decoded, then had no effect.
        eventsIn.increment(by: stats.eventsApplied + stats.eventsInert)
        eventsInert.increment(by: stats.eventsInert)
        replaysSkipped.increment(by: stats.replaysSkipped)
        transitions.increment(by: stats.transitions)
        entered.increment(by: stats.instancesEntered)
        completed.increment(by: stats.instancesCompleted)
        conversions.increment(by: stats.conversions)
        timersFired.increment(by: stats.timersFired)
        forwarded.increment(by: stats.forwarded)
        replanned.increment(by: stats.replanned)
        replanChanged.increment(by: stats.replanChanged)
        for lateness in stats.timerLateness { timerLateness.recordInterval(lateness) }
        for (channel, count) in stats.messages {
            Counter(label: "nudge_engine_messages_out_total", dimensions: [("channel", channel)]).increment(by: count)
        }
        for (decision, count) in stats.decisions {
            Counter(label: "nudge_engine_policy_decisions_total", dimensions: [("decision", decision)])
                .increment(by: count)
        }
        for (rule, count) in stats.wouldSuppress {
            Counter(label: "nudge_engine_shadow_policy_would_suppress_total", dimensions: [("rule", rule)])
                .increment(by: count)
        }
        for (arm, count) in stats.heldOut {
            Counter(label: "nudge_engine_holdout_entered_total", dimensions: [("arm", arm)]).increment(by: count)
        }
    }

    /// Customer keys the replan looked at (each partition scans all of them).
    func replanScanned(_ keys: Int) { replanKeysScanned.increment(by: keys) }

    /// A partition's replan went through all customer keys.
    func replanFinished() { replansFinished.increment() }

    /// 1 while the partition replans its existing customers, else 0.
    func replanRunning(partition: Int32, _ running: Bool) {
        Gauge(label: "nudge_engine_replan_running", dimensions: [("partition", String(partition))])
            .record(running ? 1 : 0)
    }

    func deadLettered(code: String) {
        Counter(label: "nudge_engine_dead_lettered_total", dimensions: [("reason", code)]).increment()
    }

    func timersPending(partition: Int32, count: Int) {
        Gauge(label: "nudge_engine_timers_pending", dimensions: [("partition", String(partition))]).record(count)
    }

    func lag(partition: Int32, messages: Int64) {
        Gauge(label: "nudge_engine_consumer_lag", dimensions: [("partition", String(partition))]).record(messages)
    }
}

extension Metrics.Timer {
    func recordInterval(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

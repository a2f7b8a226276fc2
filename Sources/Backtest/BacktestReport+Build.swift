import EngineCore

extension BacktestReport {
    /// What the report needs besides the replay's counts.
    struct Context: Sendable {
        var window: BacktestWindow
        var topic: String
        var files: [String]
        var policy: String?
        var scenarios: [Scenario]
        var sample: Int?
        var readSeconds: Double
        var replaySeconds: Double
    }

    /// Folds the tally into per-scenario, per-step and per-hour rows. Every scenario of the files
    /// and every step of each appears, with zeros where nothing happened, so reports compare row
    /// for row.
    static func build(
        _ outcome: BacktestReplay.Outcome, partitions: [PartitionHistory], context: Context
    ) -> BacktestReport {
        let tally = outcome.tally
        var byScenario: [String: [String: [Int64: BacktestCounts]]] = [:]
        for (place, counts) in tally.counts {
            byScenario[place.scenario, default: [:]][place.step, default: [:]][place.hour] = counts
        }
        var waitingBy: [String: [String: Int]] = [:]
        for (step, count) in tally.waiting { waitingBy[step.scenario, default: [:]][step.step] = count }

        let versions = Dictionary(grouping: context.scenarios, by: \.id)
        let ids = Set(versions.keys).union(byScenario.keys).union(waitingBy.keys).sorted()
        var scenarios: [ScenarioReport] = []
        var totals = BacktestCounts()
        for id in ids {
            let known = (versions[id] ?? []).sorted { $0.version < $1.version }
            let steps = byScenario[id] ?? [:]
            let waiting = waitingBy[id] ?? [:]
            // File order of the newest version, then steps only older versions or the counts name.
            var order = known.last?.stepOrder ?? []
            let extra = Set(steps.keys).union(waiting.keys).union(known.flatMap(\.stepOrder)).subtracting(order)
            order += extra.sorted()
            var scenarioTotals = BacktestCounts()
            var scenarioHours: [Int64: BacktestCounts] = [:]
            let stepReports = order.map { step -> StepReport in
                let hours = steps[step] ?? [:]
                var stepTotals = BacktestCounts()
                for (hour, counts) in hours {
                    stepTotals.add(counts)
                    scenarioHours[hour, default: BacktestCounts()].add(counts)
                }
                scenarioTotals.add(stepTotals)
                return StepReport(step: step, counts: stepTotals, waiting: waiting[step] ?? 0, hours: hourRows(hours))
            }
            totals.add(scenarioTotals)
            scenarios.append(
                ScenarioReport(
                    id: id, name: known.last?.name ?? id, versions: known.map(\.version), totals: scenarioTotals,
                    waiting: waiting.values.reduce(0, +), steps: stepReports, hours: hourRows(scenarioHours)))
        }

        var skipped: [String: Int] = [:]
        for partition in partitions { skipped.merge(partition.skipped, uniquingKeysWith: +) }
        let records = partitions.reduce(0) { $0 + $1.recordsRead }
        let read = Read(
            topic: context.topic,
            partitions: partitions.sorted { $0.partition < $1.partition }.map {
                PartitionRead(
                    partition: $0.partition, firstOffset: $0.firstOffset, lastOffset: $0.lastOffset,
                    records: $0.recordsRead, reachedWindowEnd: $0.isFinished)
            },
            records: records, bytes: partitions.reduce(0) { $0 + $1.bytesRead },
            beforeWindow: partitions.reduce(0) { $0 + $1.beforeWindow },
            events: partitions.reduce(0) { $0 + $1.decoded }, inert: partitions.reduce(0) { $0 + $1.inert },
            skipped: skipped, skippedTotal: skipped.values.reduce(0, +),
            skippedExamples: Array(
                partitions.sorted { $0.partition < $1.partition }.flatMap(\.skippedExamples).prefix(10)),
            seconds: context.readSeconds, decodeSeconds: partitions.reduce(0) { $0 + $1.decodeSeconds })
        let replay = Replay(
            events: outcome.eventsReplayed, transitions: tally.transitions, shards: PartitionHistory.shardCount,
            seconds: context.replaySeconds, eventsPerSecond: rate(outcome.eventsReplayed, context.replaySeconds),
            pendingTimers: tally.pendingTimers)
        let seconds = context.readSeconds + context.replaySeconds
        return BacktestReport(
            window: context.window, files: context.files, policy: context.policy, read: read, replay: replay,
            customers: Customers(
                inHistory: outcome.customersInHistory, sample: context.sample, replayed: outcome.customersSampled),
            totals: totals, waiting: tally.waiting.values.reduce(0, +), scenarios: scenarios,
            eventsPerSecond: rate(records, seconds), seconds: seconds, limitations: knownLimitations)
    }

    private static func hourRows(_ hours: [Int64: BacktestCounts]) -> [Hour] {
        hours.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map {
            Hour(hour: Timestamp(milliseconds: $0.key * BacktestTally.hourMilliseconds), counts: $0.value)
        }
    }

    private static func rate(_ count: Int, _ seconds: Double) -> Double {
        seconds > 0 ? (Double(count) / seconds).rounded() : 0
    }
}

import EngineCore

/// Replays decoded partitions through the pure core: `Simulator` with the clock following event
/// time, one simulator per shard of customers, shards in parallel on every core. Customers never see each
/// other's state, so a customer's result depends only on its own events and its shard's clock; the
/// shard count is fixed (`PartitionHistory.shardCount`), so the result is the same on every machine.
enum BacktestReplay {
    struct Outcome: Sendable {
        var tally: BacktestTally
        var eventsReplayed: Int
        var customersInHistory: Int
        var customersSampled: Int
    }

    static func run(
        _ partitions: [PartitionHistory], engine: ScenarioEngine, window: BacktestWindow, sample: Int?
    ) async -> Outcome {
        var customers: Set<String> = []
        for partition in partitions { customers.formUnion(partition.customers) }
        let chosen = sample.map { CustomerSample.choose($0, from: customers) }
        let results = await ParallelShards.map(count: PartitionHistory.shardCount) { shard -> (BacktestTally, Int) in
            var events: [ReplayEvent] = []
            events.reserveCapacity(partitions.reduce(0) { $0 + $1.shards[shard].count })
            for partition in partitions {
                if let chosen {
                    events += partition.shards[shard].lazy.filter { event in
                        event.event.customerId.map { chosen.contains($0) } ?? false
                    }
                } else {
                    events += partition.shards[shard]
                }
            }
            events.sort(by: ReplayEvent.ordered)
            return (replay(sorted: events, engine: engine, window: window), events.count)
        }
        var tally = BacktestTally()
        for (shardTally, _) in results { tally.merge(shardTally) }
        return Outcome(
            tally: tally, eventsReplayed: results.reduce(0) { $0 + $1.1 }, customersInHistory: customers.count,
            customersSampled: chosen?.count ?? customers.count)
    }

    /// One shard: customers start empty at `from`; the events (sorted by `ReplayEvent.ordered`), then
    /// the timers due up to `to`.
    static func replay(sorted events: [ReplayEvent], engine: ScenarioEngine, window: BacktestWindow) -> BacktestTally {
        var simulator = Simulator(engine: engine, start: window.from)
        var tally = BacktestTally()
        for event in events { simulator.feed(event.event, observer: &tally) }
        simulator.advance(to: window.to, observer: &tally)
        tally.finish(simulator)
        return tally
    }
}

import EngineCore
import Synchronization

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

    /// Takes the decoded events out of `partitions` (their counts stay for the report), so each
    /// shard holds the only reference to its events and frees them on its own core when done.
    static func run(
        _ partitions: inout [PartitionHistory], engine: ScenarioEngine, window: BacktestWindow, sample: Int?
    ) async -> Outcome {
        var customers: Set<String> = []
        for partition in partitions { customers.formUnion(partition.customers) }
        let chosen = sample.map { CustomerSample.choose($0, from: customers) }
        let inbox = ShardInbox(shardCount: PartitionHistory.shardCount)
        for index in partitions.indices { inbox.add(partitions[index].takeShards()) }
        let results = await ParallelShards.map(count: PartitionHistory.shardCount) { shard -> (BacktestTally, Int) in
            let parts = inbox.take(shard)
            var events: [ReplayEvent] = []
            events.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for part in parts {
                if let chosen {
                    events += part.lazy.filter { event in
                        event.event.customerId.map { chosen.contains($0) } ?? false
                    }
                } else {
                    events += part
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

/// Each shard's events from every partition, handed out once.
private final class ShardInbox: Sendable {
    private let slots: Mutex<[[[ReplayEvent]]]>

    init(shardCount: Int) { slots = Mutex(Array(repeating: [], count: shardCount)) }

    /// One partition's events, by shard.
    func add(_ shards: [[ReplayEvent]]) {
        slots.withLock { slots in
            for (shard, events) in shards.enumerated() { slots[shard].append(events) }
        }
    }

    func take(_ shard: Int) -> [[ReplayEvent]] {
        slots.withLock { slots in
            defer { slots[shard] = [] }
            return slots[shard]
        }
    }
}

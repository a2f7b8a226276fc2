import Dispatch
import Synchronization

/// Runs CPU-bound work for each shard on every core. A task group cannot do this here: `nudge`
/// hands Swift concurrency to NIO's event loops (Sources/nudge/Nudge.swift), whose executor keeps
/// a child task on the loop that spawned it, so eight shard tasks ran one after another on one
/// core. `concurrentPerform` spreads them over Dispatch's worker threads; the caller's thread is
/// not blocked meanwhile.
enum ParallelShards {
    static func map<Result: Sendable>(
        count: Int, _ work: @escaping @Sendable (Int) -> Result
    ) async -> [Result] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let results = ResultSlots<Result>(count: count)
                DispatchQueue.concurrentPerform(iterations: count) { index in
                    results.store(work(index), at: index)
                }
                continuation.resume(returning: results.collected())
            }
        }
    }
}

/// One slot per shard, each written once by its `concurrentPerform` iteration.
private final class ResultSlots<Result: Sendable>: Sendable {
    private let slots: Mutex<[Result?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func store(_ result: Result, at index: Int) { slots.withLock { $0[index] = result } }

    /// In shard order; called after every iteration returned.
    func collected() -> [Result] { slots.withLock { $0.compactMap { $0 } } }
}

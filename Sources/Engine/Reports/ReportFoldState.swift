import Synchronization

/// One partition assignment's report-fold bookkeeping on Redis Cluster, shared by the copies of
/// its `PartitionPipeline` (the worker runs one batch at a time, so there is no contention).
final class ReportFoldState: Sendable {
    /// New with every assignment (a pipeline is made per assigned partition): two processes that
    /// both run a partition for a moment (one that lost it and has not noticed yet) never fold
    /// under the same owner, so neither's sequences can hide the other's.
    let token: String

    private struct State {
        var sequence: Int64 = 0
        /// Customers whose report deltas are folded but still stored (and listed as pending):
        /// deleted with the next write, or by the next recovery.
        var folded: [String] = []
    }

    private let state = Mutex(State())

    init() {
        token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    func owner(partition: Int32) -> String { "p\(partition)/\(token)" }

    /// The next batch sequence of this owner, from 1.
    func nextSequence() -> Int64 {
        state.withLock { state in
            state.sequence += 1
            return state.sequence
        }
    }

    func takeFolded() -> [String] {
        state.withLock { state in
            defer { state.folded = [] }
            return state.folded
        }
    }

    func setFolded(_ customers: [String]) {
        state.withLock { $0.folded = customers }
    }
}

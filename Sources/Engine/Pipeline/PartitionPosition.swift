import Synchronization

/// The next offset of the events topic after what a partition's runner has processed, written by
/// the runner and read by the ticker for the lag gauge.
final class PartitionPosition: Sendable {
    private let next = Atomic<Int64>(-1)

    /// Nil until the runner has processed an event of this partition.
    var current: Int64? {
        let value = next.load(ordering: .relaxed)
        return value < 0 ? nil : value
    }

    func advance(to offset: Int64) {
        _ = next.max(offset, ordering: .relaxed)
    }
}

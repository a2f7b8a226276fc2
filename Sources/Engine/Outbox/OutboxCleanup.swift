/// What delivered batches leave to tidy in a partition's outboxes, written with the next round
/// trip to Redis.
struct OutboxCleanup: Sendable, Equatable {
    /// Customers whose outbox now holds only delivered records: the list and its index entry go.
    var emptied: [String] = []
    /// Customers with records of later batches still in flight: only the first `count` go (the
    /// delivered ones: outboxes are appended and trimmed in batch order).
    var trimmed: [Trim] = []
    /// Highest delivered offset per topic on this partition's number (recovery checkpoint).
    var checkpoints: [String: Int64] = [:]

    struct Trim: Sendable, Equatable {
        var customer: String
        var count: Int
    }

    var isEmpty: Bool { emptied.isEmpty && trimmed.isEmpty && checkpoints.isEmpty }
}

/// Which customers' outboxes hold records of batches written but not yet cleaned up, so that a
/// delivered batch's clean-up removes exactly its own records while later batches are in flight.
/// Owned by one partition's runner.
struct OutboxTracker: Sendable {
    /// Customer -> written batches with records in its outbox, not yet cleaned.
    private var open: [String: Int] = [:]
    /// Delivered batches waiting for their clean-up, in delivery order.
    private var delivered: [(counts: [String: Int], checkpoints: [String: Int64])] = []

    /// A batch's state (and outbox records) are written.
    mutating func written(_ counts: [String: Int]) {
        for customer in counts.keys { open[customer, default: 0] += 1 }
    }

    /// A written batch has all its delivery reports.
    mutating func delivered(_ counts: [String: Int], checkpoints: [String: Int64]) {
        delivered.append((counts, checkpoints))
    }

    var hasCleanup: Bool { !delivered.isEmpty }

    /// The clean-up of every delivered batch so far; the caller writes it before anything else of
    /// the partition (or forgets it through `reset` when the partition is recovered instead).
    mutating func takeCleanup() -> OutboxCleanup {
        var cleanup = OutboxCleanup()
        var removed: [String: Int] = [:]
        var batches: [String: Int] = [:]
        var order: [String] = []
        for batch in delivered {
            for (customer, count) in batch.counts.sorted(by: { $0.key < $1.key }) {
                if removed[customer] == nil { order.append(customer) }
                removed[customer, default: 0] += count
                batches[customer, default: 0] += 1
            }
            cleanup.checkpoints.merge(batch.checkpoints) { max($0, $1) }
        }
        delivered = []
        for customer in order {
            let remaining = (open[customer] ?? 0) - (batches[customer] ?? 0)
            if remaining <= 0 {
                open[customer] = nil
                cleanup.emptied.append(customer)
            } else {
                open[customer] = remaining
                cleanup.trimmed.append(OutboxCleanup.Trim(customer: customer, count: removed[customer] ?? 0))
            }
        }
        return cleanup
    }

    /// Recovery empties every outbox of the partition: nothing is open any more.
    mutating func reset() {
        open = [:]
        delivered = []
    }
}

/// The simulator's pending timers: a binary heap ordered by due time, then by the order they were
/// scheduled. Rescheduling or cancelling a timer marks its old heap entry stale (the entry's sequence
/// no longer matches `live`), so both are O(log n) instead of a scan: a backtest holds one timer per
/// waiting instance, hundreds of thousands at once.
struct TimerQueue: Sendable {
    struct Entry: Sendable {
        var due: Timestamp
        var sequence: Int
        var customer: String
        var id: String

        func precedes(_ other: Entry) -> Bool { (due, sequence) < (other.due, other.sequence) }
    }

    private struct Key: Hashable, Sendable {
        var customer: String
        var id: String
    }

    private var heap: [Entry] = []
    /// The sequence of each timer still pending, by customer and timer id.
    private var live: [Key: Int] = [:]
    private var sequence = 0

    var count: Int { live.count }

    /// Schedules a timer, replacing one of the same customer and id.
    mutating func schedule(customer: String, id: String, due: Timestamp) {
        sequence += 1
        live[Key(customer: customer, id: id)] = sequence
        push(Entry(due: due, sequence: sequence, customer: customer, id: id))
    }

    mutating func cancel(customer: String, id: String) {
        guard live.removeValue(forKey: Key(customer: customer, id: id)) != nil else { return }
        // Stale entries are dropped as they surface; rebuild when they dominate the heap.
        if heap.count > 1024, heap.count > 4 * live.count { compact() }
    }

    /// Takes the earliest pending timer if it is due at or before `time`.
    mutating func popDue(atOrBefore time: Timestamp) -> Entry? {
        // Due first: a stale entry is only looked up once it would fire, not on every call.
        while let first = heap.first, first.due <= time {
            popFirst()
            let key = Key(customer: first.customer, id: first.id)
            guard live[key] == first.sequence else { continue }
            live[key] = nil
            return first
        }
        return nil
    }

    private mutating func compact() {
        heap.removeAll { live[Key(customer: $0.customer, id: $0.id)] != $0.sequence }
        heap.sort { $0.precedes($1) }  // a sorted array is a valid heap
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popFirst() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            var smallest = left
            if right < heap.count, heap[right].precedes(heap[left]) { smallest = right }
            guard heap[smallest].precedes(heap[parent]) else { break }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}

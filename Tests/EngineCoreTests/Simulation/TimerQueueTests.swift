import Testing

@testable import EngineCore

/// The simulator's timer heap fires in the order the sorted list it replaced did: by due time, then
/// by the order of scheduling; a reschedule or a cancel leaves no trace.
@Suite("Simulator timer queue")
struct TimerQueueTests {
    func drain(_ queue: inout TimerQueue, until time: Int64) -> [String] {
        var fired: [String] = []
        while let entry = queue.popDue(atOrBefore: Timestamp(milliseconds: time)) {
            fired.append("\(entry.customer)/\(entry.id)@\(entry.due.milliseconds)")
        }
        return fired
    }

    @Test func firesByDueTimeThenBySchedulingOrder() {
        var queue = TimerQueue()
        queue.schedule(customer: "a", id: "t", due: Timestamp(milliseconds: 30))
        queue.schedule(customer: "b", id: "t", due: Timestamp(milliseconds: 10))
        queue.schedule(customer: "c", id: "t", due: Timestamp(milliseconds: 10))
        queue.schedule(customer: "d", id: "t", due: Timestamp(milliseconds: 20))
        #expect(queue.count == 4)
        #expect(drain(&queue, until: 15) == ["b/t@10", "c/t@10"])
        #expect(drain(&queue, until: 100) == ["d/t@20", "a/t@30"])
        #expect(queue.count == 0)
    }

    @Test func aRescheduleReplacesAndACancelRemoves() {
        var queue = TimerQueue()
        queue.schedule(customer: "a", id: "t", due: Timestamp(milliseconds: 10))
        queue.schedule(customer: "b", id: "t", due: Timestamp(milliseconds: 20))
        queue.schedule(customer: "a", id: "t", due: Timestamp(milliseconds: 40))
        queue.schedule(customer: "c", id: "u", due: Timestamp(milliseconds: 5))
        queue.cancel(customer: "c", id: "u")
        queue.cancel(customer: "nobody", id: "t")
        #expect(queue.count == 2)
        #expect(drain(&queue, until: 100) == ["b/t@20", "a/t@40"])
    }

    @Test func manyCancelledTimersAreCompactedAway() {
        var queue = TimerQueue()
        for index in 0..<5000 {
            queue.schedule(customer: "c\(index)", id: "t", due: Timestamp(milliseconds: Int64(5000 - index)))
        }
        for index in 0..<4990 { queue.cancel(customer: "c\(index)", id: "t") }
        #expect(queue.count == 10)
        let fired = drain(&queue, until: 10_000)
        #expect(fired.count == 10)
        #expect(fired.first == "c4999/t@1")
        #expect(fired.last == "c4990/t@10")
    }
}

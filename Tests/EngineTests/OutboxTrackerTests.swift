import Testing

@testable import Engine

@Suite("Outbox clean-up while later batches are in flight")
struct OutboxTrackerTests {
    @Test func aCustomerOnlyInTheDeliveredBatchIsEmptied() {
        var tracker = OutboxTracker()
        tracker.written(["a": 2, "b": 1])
        tracker.delivered(["a": 2, "b": 1], checkpoints: ["nudge.outbound": 41])
        let cleanup = tracker.takeCleanup()
        #expect(cleanup.emptied == ["a", "b"])
        #expect(cleanup.trimmed.isEmpty)
        #expect(cleanup.checkpoints == ["nudge.outbound": 41])
        #expect(!tracker.hasCleanup)
    }

    @Test func aCustomerWithRecordsInALaterBatchIsOnlyTrimmed() {
        var tracker = OutboxTracker()
        tracker.written(["a": 2])
        tracker.written(["a": 1, "c": 1])
        tracker.delivered(["a": 2], checkpoints: ["t": 10])
        let first = tracker.takeCleanup()
        // The second batch's record for `a` is still undelivered: it must stay, and so must `a`'s index entry.
        #expect(first.emptied.isEmpty)
        #expect(first.trimmed == [OutboxCleanup.Trim(customer: "a", count: 2)])

        tracker.delivered(["a": 1, "c": 1], checkpoints: ["t": 12])
        let second = tracker.takeCleanup()
        #expect(second.emptied == ["a", "c"])
        #expect(second.trimmed.isEmpty)
        #expect(second.checkpoints == ["t": 12])
    }

    @Test func deliveredBatchesCleanedTogetherAddUpTheirCounts() {
        var tracker = OutboxTracker()
        tracker.written(["a": 1])
        tracker.written(["a": 3])
        tracker.written(["a": 1])
        tracker.delivered(["a": 1], checkpoints: ["t": 5])
        tracker.delivered(["a": 3], checkpoints: ["t": 9])
        let cleanup = tracker.takeCleanup()
        #expect(cleanup.trimmed == [OutboxCleanup.Trim(customer: "a", count: 4)])
        #expect(cleanup.checkpoints == ["t": 9])
    }

    @Test func recoveryForgetsEverythingOpen() {
        var tracker = OutboxTracker()
        tracker.written(["a": 1])
        tracker.written(["a": 1])
        tracker.delivered(["a": 1], checkpoints: [:])
        tracker.reset()
        #expect(!tracker.hasCleanup)
        tracker.written(["a": 1])
        tracker.delivered(["a": 1], checkpoints: [:])
        #expect(tracker.takeCleanup().emptied == ["a"])
    }
}

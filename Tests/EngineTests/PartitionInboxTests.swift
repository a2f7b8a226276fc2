import NudgeKafka
import Testing

@testable import Engine

@Suite("A partition's inbox: adaptive batches, backpressure, fair turns", .timeLimit(.minutes(1)))
struct PartitionInboxTests {
    static func records(_ offsets: Range<Int64>) -> [KafkaMessage] {
        offsets.map { KafkaMessage(topic: "t", partition: 0, offset: $0, key: nil, value: [], headers: []) }
    }

    static func offsets(_ work: PartitionInbox.Work?) -> [Int64] {
        guard case .records(let messages) = work else { return [] }
        return messages.map(\.offset)
    }

    @Test func recordsQueuedWhileBusyComeAsOneBatchUpToTheMaximum() async {
        let inbox = PartitionInbox(capacity: 100, maxBatch: 5)
        await inbox.push(Self.records(0..<2))
        await inbox.push(Self.records(2..<4))
        await inbox.push(Self.records(4..<7))
        #expect(Self.offsets(await inbox.next()) == [0, 1, 2, 3, 4])
        #expect(Self.offsets(await inbox.next()) == [5, 6])
    }

    @Test func aWaitingRunnerGetsTheFirstRecordsAtOnce() async {
        let inbox = PartitionInbox(capacity: 100, maxBatch: 50)
        async let first = inbox.next()
        try? await Task.sleep(for: .milliseconds(20))
        await inbox.push(Self.records(0..<1))
        #expect(Self.offsets(await first) == [0])
    }

    @Test func pushWaitsWhileTheQueueIsFull() async throws {
        let inbox = PartitionInbox(capacity: 4, maxBatch: 2)
        let pushed = Task {
            await inbox.push(Self.records(0..<6))
            return true
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(inbox.queuedRecords == 6)
        _ = await inbox.next()  // 4 left: still full
        _ = await inbox.next()  // 2 left: room
        #expect(await pushed.value)
    }

    @Test func timersAndRecordsTakeTurns() async {
        let inbox = PartitionInbox(capacity: 100, maxBatch: 1)
        await inbox.push(Self.records(0..<3))
        inbox.request(.dueTimers)
        #expect(Self.offsets(await inbox.next()) == [0])
        guard case .dueTimers = await inbox.next() else {
            Issue.record("timers should follow a record batch")
            return
        }
        inbox.request(.dueTimers)
        #expect(Self.offsets(await inbox.next()) == [1])
        guard case .dueTimers = await inbox.next() else {
            Issue.record("timers should take their turn again")
            return
        }
        #expect(Self.offsets(await inbox.next()) == [2])
    }

    @Test func finishingDropsQueuedRecordsAndReleasesEveryone() async {
        let inbox = PartitionInbox(capacity: 1, maxBatch: 10)
        let pushed = Task { await inbox.push(Self.records(0..<3)) }
        try? await Task.sleep(for: .milliseconds(20))
        inbox.finish()
        await pushed.value
        #expect(await inbox.next() == nil)
    }
}

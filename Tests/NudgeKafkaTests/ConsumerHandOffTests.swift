import Testing

@testable import NudgeKafka

/// The poll thread's hand-off to the iterator (pure state machine: no broker needed).
@Suite("Consumer hand-off: one batch polled ahead, never more")
struct ConsumerHandOffTests {
    typealias Machine = KafkaConsumer.StateMachine

    static func message(_ offset: Int64) -> KafkaMessage {
        KafkaMessage(topic: "t", partition: 0, offset: offset, key: nil, value: [], headers: [])
    }

    /// `next` with a real continuation, on a machine that has an event buffered (so it resumes at once).
    static func takeBuffered(_ machine: inout Machine) async throws -> (wakes: Bool, offsets: [Int64]) {
        var wakes = false
        let event: KafkaConsumerEvent? = try await withCheckedThrowingContinuation { continuation in
            switch machine.next(continuation) {
            case .resume(let waiter, let result, let wake):
                wakes = wake
                waiter.resume(with: result)
            case .wakePollThread:
                Issue.record("nothing was buffered")
                // The machine keeps this waiter; the test ends here, so it is never resumed twice.
                continuation.resume(returning: nil)
            }
        }
        guard case .messages(let messages)? = event else { return (wakes, []) }
        return (wakes, messages.map(\.offset))
    }

    @Test func thePollThreadPollsAheadWhileNothingIsBufferedAndWaitsOnceABatchIs() {
        var machine = Machine()
        // No demand yet, nothing buffered: poll ahead.
        #expect(machine.pollTurn() == .poll)
        machine.stage(Self.message(0))
        machine.stage(Self.message(1))
        // Flushed with nobody waiting: the batch stays buffered, and one is enough.
        #expect(machine.flushStaged() == nil)
        #expect(machine.pollTurn() == .wait)
    }

    @Test func takingTheBufferedBatchResumesAtOnceAndWakesThePollThreadForTheNext() async throws {
        var machine = Machine()
        machine.stage(Self.message(0))
        _ = machine.flushStaged()
        let taken = try await Self.takeBuffered(&machine)
        #expect(taken.offsets == [0])
        #expect(taken.wakes)
        #expect(machine.pollTurn() == .poll)
    }

    @Test func aRebalanceEventBufferedBehindTheBatchDoesNotWakeThePollThreadEarly() async throws {
        var machine = Machine()
        machine.stage(Self.message(0))
        _ = machine.flushStaged(then: .assigned([KafkaTopicPartition(topic: "t", partition: 1)]))
        let first = try await Self.takeBuffered(&machine)
        #expect(first.offsets == [0])
        // The assignment is still buffered: the poll thread keeps waiting.
        #expect(!first.wakes)
        #expect(machine.pollTurn() == .wait)
    }

    @Test func aStoppingConsumerIsNotPolledAhead() {
        var machine = Machine()
        _ = machine.stop()
        #expect(machine.pollTurn() == .stop)
    }
}

import Dispatch
import Synchronization

extension KafkaConsumer {
    /// The hand-off between the poll thread and the Swift iterator. The poll thread polls while the
    /// iterator waits for an event (`demand`) and, one batch ahead, while nothing is buffered: the
    /// next batch is ready when the iterator comes back, instead of the iterator waking the poll
    /// thread and waiting for its poll every time (a round trip per batch that held events back).
    /// Back-pressure: at most one batch plus the rebalance events of one poll are buffered;
    /// everything else stays bounded in librdkafka's prefetch queue.
    struct StateMachine {
        typealias Waiter = CheckedContinuation<KafkaConsumerEvent?, any Error>

        private(set) var buffer: [KafkaConsumerEvent] = []
        /// Messages polled but not surfaced yet: surfaced before any rebalance event that follows them.
        private(set) var staged: [KafkaMessage] = []
        private var waiter: Waiter?
        private(set) var demand = false
        private(set) var stopping = false
        private var isFinished = false
        /// Thrown once, by the first `next()` after the buffer drained.
        private var finishError: KafkaError?
        /// A revoke the poll thread waits on; acknowledged by `stop()` so close never hangs.
        private var pendingRevocation: KafkaRevocation?

        enum NextAction {
            /// `wakePollThread`: the buffer was emptied, so the poll thread may fetch the next batch.
            case resume(Waiter, Result<KafkaConsumerEvent?, any Error>, wakePollThread: Bool)
            case wakePollThread
        }

        /// The iterator asks for the next event.
        mutating func next(_ continuation: Waiter) -> NextAction {
            if !buffer.isEmpty {
                let event = buffer.removeFirst()
                return .resume(continuation, .success(event), wakePollThread: buffer.isEmpty && !stopping)
            }
            if isFinished {
                defer { finishError = nil }
                return .resume(continuation, finishError.map { .failure($0) } ?? .success(nil), wakePollThread: false)
            }
            if waiter != nil {
                let error = KafkaError(code: .consumer, message: "events are iterated by more than one task at once")
                return .resume(continuation, .failure(error), wakePollThread: false)
            }
            waiter = continuation
            demand = true
            return .wakePollThread
        }

        /// The waiting task was cancelled: its events stay buffered for the next call.
        mutating func cancelNext() -> Waiter? {
            demand = false
            defer { waiter = nil }
            return waiter
        }

        enum PollTurn {
            case poll, wait, stop
        }

        func pollTurn() -> PollTurn {
            if stopping { return .stop }
            return demand || buffer.isEmpty ? .poll : .wait
        }

        mutating func stage(_ message: KafkaMessage) {
            staged.append(message)
        }

        /// Surfaces the staged messages, then `event`, and satisfies the demand.
        mutating func flushStaged(then event: KafkaConsumerEvent? = nil) -> (Waiter, KafkaConsumerEvent)? {
            if !staged.isEmpty {
                buffer.append(.messages(staged))
                staged = []
            }
            if let event { buffer.append(event) }
            guard !buffer.isEmpty else { return nil }
            demand = false
            guard let waiter else { return nil }
            self.waiter = nil
            return (waiter, buffer.removeFirst())
        }

        /// Returns false while closing: then the poll thread must not wait for an acknowledgement.
        mutating func awaitRevocation(_ revocation: KafkaRevocation?) -> Bool {
            pendingRevocation = stopping ? nil : revocation
            return !stopping
        }

        /// Asks the poll thread to stop; returns a revocation to acknowledge so it does not wait on it.
        mutating func stop() -> KafkaRevocation? {
            stopping = true
            defer { pendingRevocation = nil }
            return pendingRevocation
        }

        /// The poll thread exited: the iterator gets the buffered events, then the end (or the error).
        mutating func finish(_ error: KafkaError?) -> (Waiter, Result<KafkaConsumerEvent?, any Error>)? {
            stopping = true
            isFinished = true
            finishError = error
            if !staged.isEmpty {
                buffer.append(.messages(staged))
                staged = []
            }
            guard let waiter else { return nil }
            self.waiter = nil
            if !buffer.isEmpty { return (waiter, .success(buffer.removeFirst())) }
            finishError = nil
            return (waiter, error.map { .failure($0) } ?? .success(nil))
        }
    }

    /// The lock-protected state machine plus the semaphore the poll thread sleeps on between demands.
    final class EventChannel: Sendable {
        private let machine = Mutex(StateMachine())
        private let wakeups = DispatchSemaphore(value: 0)

        func next() async throws -> KafkaConsumerEvent? {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    switch machine.withLock({ $0.next(continuation) }) {
                    case .resume(let waiter, let result, let wake):
                        if wake { wakeups.signal() }
                        waiter.resume(with: result)
                    case .wakePollThread: wakeups.signal()
                    }
                    // Cancelled before the waiter was registered: onCancel found nothing to resume.
                    if Task.isCancelled {
                        machine.withLock { $0.cancelNext() }?.resume(throwing: CancellationError())
                    }
                }
            } onCancel: {
                machine.withLock { $0.cancelNext() }?.resume(throwing: CancellationError())
            }
        }

        /// Poll thread: blocks until the iterator wants an event or the consumer stops.
        func waitForTurn() -> StateMachine.PollTurn {
            while true {
                let turn = machine.withLock { $0.pollTurn() }
                guard turn == .wait else { return turn }
                wakeups.wait()
            }
        }

        var wantsPoll: Bool { machine.withLock { $0.pollTurn() == .poll } }
        var stagedCount: Int { machine.withLock { $0.staged.count } }

        func stage(_ message: KafkaMessage) {
            machine.withLock { $0.stage(message) }
        }

        func flushStaged(then event: KafkaConsumerEvent? = nil) {
            if let (waiter, event) = machine.withLock({ $0.flushStaged(then: event) }) {
                waiter.resume(returning: event)
            }
        }

        func awaitRevocation(_ revocation: KafkaRevocation) -> Bool {
            machine.withLock { $0.awaitRevocation(revocation) }
        }

        func revocationDone() {
            _ = machine.withLock { $0.awaitRevocation(nil) }
        }

        func stop() {
            machine.withLock { $0.stop() }?.acknowledge()
            wakeups.signal()
        }

        func finish(_ error: KafkaError?) {
            if let (waiter, result) = machine.withLock({ $0.finish(error) }) { waiter.resume(with: result) }
        }
    }
}

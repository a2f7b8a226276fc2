import NudgeKafka
import Synchronization

/// The work waiting for one partition's runner: Kafka records pushed by the consumer loop, and
/// requests from the ticker (due timers) and from delivery reports. Records that queue
/// up while the runner is busy are handed over together, up to `maxBatch`: batches stay small
/// when the stream is quiet (latency) and grow under a backlog (throughput), with no knob.
/// `push` waits while `capacity` records are queued, which holds the consumer loop back.
final class PartitionInbox: Sendable {
    enum Work: Sendable {
        case records([KafkaMessage])
        case dueTimers
        /// An in-flight batch has all its delivery reports.
        case deliveries
        /// The next page of the replan of existing customers (a no-op when none is due).
        case replan
    }

    private struct State {
        var records: [KafkaMessage] = []
        var timersDue = false
        var deliveriesDone = false
        /// Alternates records and timers when both wait, so neither starves the other.
        var timersNext = false
        var replanDue = false
        /// Alternates records and replan pages the same way.
        var replanNext = false
        var finished = false
        var runner: CheckedContinuation<Work?, Never>?
        var senders: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let capacity: Int
    let maxBatch: Int

    init(capacity: Int, maxBatch: Int) {
        self.capacity = max(1, capacity)
        self.maxBatch = max(1, maxBatch)
    }

    /// Queues records (in order) and waits while the queue is full. After `finish()` records are
    /// dropped: they were not processed, so their offsets are not committed and they are redelivered.
    ///
    /// Suspends only when it must wait: with room, it returns at once. A suspension costs a trip
    /// through the executor's queue, behind whatever runner work is on it, and the consumer loop
    /// paid that trip once per partition per poll (tens of milliseconds under load).
    func push(_ messages: [KafkaMessage]) async {
        guard !messages.isEmpty else { return }
        let (runner, work, full) = state.withLock { state -> (CheckedContinuation<Work?, Never>?, Work?, Bool) in
            guard !state.finished else { return (nil, nil, false) }
            state.records.append(contentsOf: messages)
            var runner: CheckedContinuation<Work?, Never>?
            var work: Work?
            if let waiting = state.runner {
                state.runner = nil
                runner = waiting
                work = Self.nextWork(&state, maxBatch: maxBatch)
            }
            return (runner, work, state.records.count >= capacity)
        }
        runner?.resume(returning: work)
        guard full else { return }
        await withCheckedContinuation { (sender: CheckedContinuation<Void, Never>) in
            // The runner may have taken records (or the inbox finished) since: wait only if still full.
            let waits = state.withLock { state in
                guard !state.finished, state.records.count >= capacity else { return false }
                state.senders.append(sender)
                return true
            }
            if !waits { sender.resume() }
        }
    }

    /// Asks for a due-timer run, a replan page or a delivery harvest (flags: asking twice is once).
    func request(_ work: Work) {
        let wake = state.withLock {
            state -> (CheckedContinuation<Work?, Never>, Work?, [CheckedContinuation<Void, Never>])? in
            guard !state.finished else { return nil }
            switch work {
            case .dueTimers: state.timersDue = true
            case .deliveries: state.deliveriesDone = true
            case .replan: state.replanDue = true
            case .records: return nil
            }
            guard let runner = state.runner else { return nil }
            state.runner = nil
            let work = Self.nextWork(&state, maxBatch: maxBatch)
            return (runner, work, Self.releaseSenders(&state, capacity: capacity))
        }
        guard let (runner, work, senders) = wake else { return }
        for sender in senders { sender.resume() }
        runner.resume(returning: work)
    }

    /// The next work, waiting for some; nil once finished and drained. Returns without
    /// suspending when work is already queued (a busy runner goes straight on to its next batch).
    func next() async -> Work? {
        if let (work, senders) = state.withLock({ Self.take(&$0, maxBatch: maxBatch, capacity: capacity) }) {
            for sender in senders { sender.resume() }
            return work
        }
        return await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> (Work?, [CheckedContinuation<Void, Never>])? in
                if let taken = Self.take(&state, maxBatch: maxBatch, capacity: capacity) { return taken }
                state.runner = continuation
                return nil
            }
            guard let (work, senders) = ready else { return }
            for sender in senders { sender.resume() }
            continuation.resume(returning: work)
        }
    }

    /// The next work and the senders it makes room for; nil when there is none yet (and the inbox
    /// is not finished, which hands out nil as the end).
    private static func take(
        _ state: inout State, maxBatch: Int, capacity: Int
    ) -> (Work?, [CheckedContinuation<Void, Never>])? {
        if let work = nextWork(&state, maxBatch: maxBatch) { return (work, releaseSenders(&state, capacity: capacity)) }
        if state.finished { return (nil, releaseSenders(&state, capacity: capacity)) }
        return nil
    }

    /// No more work is taken; what is queued is still handed out, then `next()` returns nil.
    func finish() {
        let (runner, senders) = state.withLock { state in
            state.finished = true
            state.records = []
            defer {
                state.runner = nil
                state.senders = []
            }
            return (state.runner, state.senders)
        }
        for sender in senders { sender.resume() }
        runner?.resume(returning: nil)
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Records queued and not yet handed to the runner.
    var queuedRecords: Int { state.withLock { $0.records.count } }

    private static func nextWork(_ state: inout State, maxBatch: Int) -> Work? {
        let hasRecords = !state.records.isEmpty
        if state.timersDue && (!hasRecords || state.timersNext) {
            state.timersDue = false
            state.timersNext = false
            return .dueTimers
        }
        if state.replanDue && (!hasRecords || state.replanNext) {
            state.replanDue = false
            state.replanNext = false
            return .replan
        }
        if hasRecords {
            state.timersNext = true
            state.replanNext = true
            // The runner harvests deliveries before each batch anyway.
            state.deliveriesDone = false
            let count = min(maxBatch, state.records.count)
            let batch = Array(state.records.prefix(count))
            state.records.removeFirst(count)
            return .records(batch)
        }
        if state.deliveriesDone {
            state.deliveriesDone = false
            return .deliveries
        }
        return nil
    }

    private static func releaseSenders(_ state: inout State, capacity: Int) -> [CheckedContinuation<Void, Never>] {
        guard state.records.count < capacity || state.finished else { return [] }
        defer { state.senders = [] }
        return state.senders
    }
}

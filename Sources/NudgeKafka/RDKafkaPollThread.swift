import CRdKafka
import Foundation
import Synchronization

/// Serves a handle's main queue (delivery reports, logs, errors) on a dedicated thread, so callbacks
/// never run on the Swift cooperative pool. The thread holds a reference to the client until it exits
/// and gives it up before `stop()` returns: once its owner dropped its own reference, the handle is
/// destroyed on this thread, not on the cooperative pool.
final class RDKafkaPollThread: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let exited = CompletionLatch()

    init(client: RDKafkaClient, name: String) {
        let owned = Mutex<RDKafkaClient?>(client)
        let thread = Thread { [self] in
            if let client = owned.withLock({ $0.take() }) {
                run(client)
            }
            exited.complete()
        }
        thread.name = name
        thread.start()
    }

    private func run(_ client: consuming RDKafkaClient) {
        while !stopping.load(ordering: .acquiring) {
            rd_kafka_poll(client.handle, 100)
        }
    }

    /// Asks the thread to stop without waiting (from `deinit`).
    func requestStop() {
        stopping.store(true, ordering: .releasing)
    }

    /// Stops the thread and waits until it exited.
    func stop() async {
        requestStop()
        await exited.wait()
    }
}

/// A one-way flag that async callers can wait on; completing twice is harmless.
final class CompletionLatch: Sendable {
    private struct State {
        var done = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func complete() {
        let waiters = state.withLock { state in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }
}

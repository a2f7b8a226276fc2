import Dispatch

/// Runs an actor's jobs on its own serial DispatchQueue, so the blocking hiredis calls made
/// inside the actor never occupy a thread of Swift's cooperative pool.
final class RedisQueueExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

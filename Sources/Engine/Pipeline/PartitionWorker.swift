import EngineCore
import NudgeRecords
import ProcessSupport
import Foundation
import Ingest
import Logging
import NudgeKafka
import NudgeRedis

/// Owns one assigned partition and runs its inputs as a two-stage pipeline. Stage one (load,
/// plan, write to Redis) runs one batch at a time, Kafka records and due timers through the
/// same queue, so a customer's inputs never race. Stage two (delivery of the batch's records)
/// overlaps the next batches' first stage: records are enqueued in batch order, which keeps
/// them in order per partition, and a batch's offsets go to the committer once its reports
/// are in. A failed batch is retried after recovering the outbox.
final class PartitionWorker: Sendable {
    /// How often the partition's gauges (pending timers, consumer lag) are refreshed.
    static let gaugeInterval: Duration = .seconds(5)
    /// Batches written whose records are still being delivered; one more waits for the oldest.
    static let maxInFlight = 4

    let partition: Int32
    private let inbox: PartitionInbox
    private let runner: Task<Void, Never>
    private let ticker: Task<Void, Never>
    private let gauges: Task<Void, Never>
    /// Asks for the next replan page every `config.replanPause` (nothing to do costs nothing).
    private let replanTicker: Task<Void, Never>

    /// `onFailure` is called once if a batch keeps failing (the worker then stops taking work).
    init(
        pipeline: PartitionPipeline, config: EngineConfig, committer: OffsetCommitter,
        onFailure: @escaping @Sendable (any Error) -> Void, logger: Logger
    ) {
        let inbox = PartitionInbox(capacity: config.maxBatchSize * 2, maxBatch: config.maxBatchSize)
        let position = PartitionPosition()
        self.partition = pipeline.partition
        self.inbox = inbox
        self.runner = Task {
            var runner = PartitionRunner(
                pipeline: pipeline, inbox: inbox, config: config, committer: committer, position: position,
                logger: logger)
            do {
                try await runner.run()
            } catch {
                // Giving up while being stopped is not a failure: the next owner takes over.
                let stopping = inbox.isFinished
                inbox.finish()
                if !stopping { onFailure(error) }
            }
        }
        self.ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: config.timerTick)
                if Task.isCancelled { break }
                inbox.request(.dueTimers)
            }
        }
        self.replanTicker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: config.replanPause)
                if Task.isCancelled { break }
                inbox.request(.replan)
            }
        }
        // A task of its own, neither on the runner nor on the timer ticker: the lag gauge asks the
        // broker for the partition's end (a blocking round trip that every partition's reader
        // call queues for), which stalled the partition's events for hundreds of milliseconds
        // every five seconds while the runner did it.
        self.gauges = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.gaugeInterval)
                if Task.isCancelled { break }
                do {
                    try await pipeline.refreshGauges(position: position.current)
                } catch {
                    logger.warning(
                        "gauge refresh failed",
                        metadata: [EngineLogKeys.partition: "\(pipeline.partition)", EngineLogKeys.error: "\(error)"])
                }
            }
        }
    }

    /// Queues a Kafka batch of this partition; waits only while the worker is far behind.
    func process(_ records: [KafkaMessage]) async {
        await inbox.push(records)
    }

    /// Stops taking work: the ticker ends, records not started are dropped (uncommitted, so
    /// redelivered to the next owner), the batch in progress and the deliveries in flight finish.
    func stop() async {
        ticker.cancel()
        gauges.cancel()
        replanTicker.cancel()
        await ticker.value
        await gauges.value
        await replanTicker.value
        inbox.finish()
        await runner.value
    }
}

/// The state of one partition's pipeline, owned by its worker's runner task.
private struct PartitionRunner {
    /// Inputs of one first-stage run.
    struct Job: Sendable {
        var inputs: [WorkInput]
        var deadLetters: [DeadLetter]
        /// Next offsets to commit once the job's records are delivered (none for timers).
        var offsets: [KafkaTopicPartitionOffset]
        /// Fixed for timers (the time they were found due); Kafka batches read the clock per attempt.
        var now: Timestamp?
    }

    /// A job whose state is written and whose records are being delivered.
    struct InFlight {
        var job: Job
        var staged: StagedBatch
        var deliveries: KafkaDeliveryBatch
    }

    let pipeline: PartitionPipeline
    let inbox: PartitionInbox
    let config: EngineConfig
    let committer: OffsetCommitter
    let logger: Logger
    let decoder: EventDecoder

    private var queue: [Job] = []
    private var inFlight: [InFlight] = []
    private var outboxes = OutboxTracker()
    private var needsRecovery = true
    private var replanner: PartitionReplanner
    /// Customers written by the replan batches staged since the last page began.
    private var replanChanged = 0
    /// Next offset of the events topic after what this worker processed, for the lag gauge.
    let position: PartitionPosition

    init(
        pipeline: PartitionPipeline, inbox: PartitionInbox, config: EngineConfig, committer: OffsetCommitter,
        position: PartitionPosition, logger: Logger
    ) {
        self.pipeline = pipeline
        self.inbox = inbox
        self.config = config
        self.committer = committer
        self.position = position
        self.logger = logger
        self.decoder = EventDecoder(maxEventBytes: config.maxEventBytes)
        self.replanner = PartitionReplanner(
            pipeline: pipeline, pageSize: config.replanPageSize, partitions: config.partitions, logger: logger)
    }

    mutating func run() async throws {
        while let work = await inbox.next() {
            harvest()
            switch work {
            case .records(let messages):
                let (inputs, deadLetters) = WorkInput.decode(messages, with: decoder)
                try await drive(Job(inputs: inputs, deadLetters: deadLetters, offsets: messages.nextOffsets))
                let eventsTopic = pipeline.topics.events
                if let last = messages.filter({ $0.topic == eventsTopic }).map(\.offset).max() {
                    position.advance(to: last + 1)
                }
            case .dueTimers:
                try await fireDueTimers()
            case .replan:
                try await replanPage()
            case .deliveries:
                if needsRecovery {
                    try await drive(nil)
                } else if outboxes.hasCleanup && inbox.queuedRecords == 0 {
                    // Quiet: tidy now rather than with the next batch.
                    do {
                        try await pipeline.writeCleanup(outboxes.takeCleanup())
                    } catch {
                        needsRecovery = true
                        logger.warning("outbox clean-up failed", metadata: metadata(error))
                    }
                }
            }
        }
        await finish()
    }

    /// One batch of due timers; asks for another at once when it came back full, so a backlog
    /// drains without waiting a tick, taking turns with Kafka records.
    private mutating func fireDueTimers() async throws {
        if needsRecovery { try await drive(nil) }
        let now = Timestamp.wallClock()
        let due: [WorkInput]
        do {
            due = try await pipeline.dueTimers(now: now, limit: config.timerBatchSize)
        } catch {
            logger.warning("reading due timers failed", metadata: metadata(error))
            return
        }
        guard !due.isEmpty else { return }
        try await drive(Job(inputs: due, deadLetters: [], offsets: [], now: now))
        if due.count >= config.timerBatchSize { inbox.request(.dueTimers) }
    }

    /// One page of the replan of existing customers, when one is due: its customers go through
    /// the first stage like any batch (retried like one), then the progress moves on. A page
    /// that fails to be read or recorded is taken again at the next tick.
    private mutating func replanPage() async throws {
        if needsRecovery { try await drive(nil) }
        let now = Timestamp.wallClock()
        let page: PartitionReplanner.Page?
        do {
            page = try await replanner.nextPage(now: now)
        } catch {
            logger.warning("reading the replan's next page failed", metadata: metadata(error))
            return
        }
        guard let page else { return }
        replanChanged = 0
        if !page.inputs.isEmpty { try await drive(Job(inputs: page.inputs, deadLetters: [], offsets: [], now: now)) }
        do {
            try await replanner.completed(page, changed: replanChanged)
        } catch {
            logger.warning("recording replan progress failed", metadata: metadata(error))
        }
    }

    /// Runs `job` (after any retried ones) through the first stage and hands it to delivery.
    /// Retries with backoff; throws when a job keeps failing or the worker is stopping.
    private mutating func drive(_ job: Job?) async throws {
        if let job { queue.append(job) }
        var attempt = 1
        var backoff = config.retryBackoff
        while !queue.isEmpty || needsRecovery {
            do {
                if needsRecovery {
                    try await recover()
                    continue
                }
                try await waitForRoom()
                if needsRecovery { continue }
                try await stage(queue[0])
                queue.removeFirst()
                attempt = 1
                backoff = config.retryBackoff
            } catch {
                needsRecovery = true
                // Another process wrote one of our customers: expected now and then, retried at once.
                let concurrent = error is ConcurrentUpdate
                logger.log(
                    level: concurrent ? .notice : .error,
                    concurrent ? "customer changed concurrently; retrying" : "partition batch failed; retrying",
                    metadata: metadata(error).merging([EngineLogKeys.attempt: "\(attempt)"]) { $1 })
                // A worker being stopped gives up: the batch is not committed and will be
                // redelivered to whoever owns the partition next.
                if inbox.isFinished || Task.isCancelled || attempt >= 50 { throw error }
                if !concurrent {
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
                attempt += 1
            }
        }
    }

    private mutating func stage(_ job: Job) async throws {
        let staged = try await pipeline.stage(
            job.inputs, deadLetters: job.deadLetters, now: job.now ?? .wallClock(), cleanup: outboxes.takeCleanup())
        outboxes.written(staged.outboxCounts)
        replanChanged += staged.stats.replanChanged
        let deliveries = try await pipeline.producer.enqueue(staged.messages)
        let inbox = self.inbox
        deliveries.onCompletion { inbox.request(.deliveries) }
        inFlight.append(InFlight(job: job, staged: staged, deliveries: deliveries))
    }

    /// Takes the delivered batches off the front, in order: their clean-up is due and their
    /// offsets can be committed. After a failed delivery, it and every later batch run again
    /// once the outbox is recovered (their customers skip what they applied; dead letters and
    /// forwards are produced again).
    private mutating func harvest() {
        var rerun: [Job] = []
        while let head = inFlight.first, let outcome = head.deliveries.outcome {
            inFlight.removeFirst()
            switch outcome {
            case .success(let reports) where !needsRecovery:
                FailPoint.afterProduce.check()
                outboxes.delivered(head.staged.outboxCounts, checkpoints: head.staged.checkpoints(from: reports))
                committer.completed(head.job.offsets)
            case .success:
                if !head.job.offsets.isEmpty { rerun.append(head.job) }
            case .failure(let error):
                needsRecovery = true
                logger.error("delivery failed; recovering the outbox", metadata: metadata(error))
                // Timers need no second run: recovery produces their outbox and they have nothing else.
                if !head.job.offsets.isEmpty { rerun.append(head.job) }
            }
        }
        queue.insert(contentsOf: rerun, at: 0)
    }

    private mutating func waitForRoom() async throws {
        while inFlight.count >= PartitionWorker.maxInFlight {
            _ = try? await inFlight[0].deliveries.reports()
            harvest()
        }
    }

    /// Waits for every delivery in flight, then finishes what the outboxes still hold.
    private mutating func recover() async throws {
        while !inFlight.isEmpty {
            _ = try? await inFlight[0].deliveries.reports()
            harvest()
        }
        try await pipeline.recover()
        outboxes.reset()
        needsRecovery = false
    }

    /// On stop: the deliveries in flight finish and their clean-up is written; anything failed
    /// is left to the next owner's recovery.
    private mutating func finish() async {
        while !inFlight.isEmpty {
            _ = try? await inFlight[0].deliveries.reports()
            harvest()
        }
        guard !needsRecovery, outboxes.hasCleanup else { return }
        do {
            try await pipeline.writeCleanup(outboxes.takeCleanup())
        } catch {
            logger.warning("outbox clean-up at stop failed", metadata: metadata(error))
        }
    }

    private func metadata(_ error: any Error) -> Logger.Metadata {
        [EngineLogKeys.partition: "\(pipeline.partition)", EngineLogKeys.error: "\(error)"]
    }
}

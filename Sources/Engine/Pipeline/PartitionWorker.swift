import EngineCore
import Foundation
import Logging
import Ingest
import NudgeKafka
import NudgeRedis

/// Owns one assigned partition: runs its batches one at a time (Kafka records and due timers
/// go through the same queue, so a customer's inputs never race), retries a failed batch after
/// recovering the outbox, and fires the partition's timers.
final class PartitionWorker: Sendable {
    private enum Job: Sendable {
        case batch([WorkInput], [DeadLetter])
        case dueTimers
        case refreshGauges
    }

    /// How often the ticker refreshes the partition's gauges (pending timers, consumer lag).
    static let gaugeInterval: Duration = .seconds(5)

    private struct Request: Sendable {
        var job: Job
        var done: CheckedContinuation<Void, any Error>
    }

    let partition: Int32
    private let pipeline: PartitionPipeline
    private let config: EngineConfig
    private let logger: Logger
    private let requests: AsyncStream<Request>.Continuation
    private let runner: Task<Void, Never>
    private let ticker: Task<Void, Never>

    init(pipeline: PartitionPipeline, config: EngineConfig, logger: Logger) {
        let (stream, continuation) = AsyncStream.makeStream(of: Request.self)
        self.partition = pipeline.partition
        self.pipeline = pipeline
        self.config = config
        self.logger = logger
        self.requests = continuation
        self.runner = Task {
            await Self.serve(stream, pipeline: pipeline, config: config, logger: logger)
        }
        let requests = continuation
        self.ticker = Task {
            var lastGauges = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: config.timerTick)
                if Task.isCancelled { break }
                try? await Self.submit(.dueTimers, to: requests)
                if ContinuousClock.now - lastGauges >= Self.gaugeInterval {
                    lastGauges = ContinuousClock.now
                    try? await Self.submit(.refreshGauges, to: requests)
                }
            }
        }
    }

    /// Processes a Kafka batch of this partition; returns once its effects are durable and produced.
    func process(_ records: [KafkaMessage]) async throws {
        let (inputs, deadLetters) = WorkInput.decode(records, with: EventDecoder(maxEventBytes: config.maxEventBytes))
        try await Self.submit(.batch(inputs, deadLetters), to: requests)
    }

    /// Stops taking work: the timer ticker ends, queued batches finish, then the worker is gone.
    func stop() async {
        ticker.cancel()
        await ticker.value
        requests.finish()
        await runner.value
    }

    private static func submit(_ job: Job, to requests: AsyncStream<Request>.Continuation) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            if case .terminated = requests.yield(Request(job: job, done: done)) {
                done.resume(throwing: CancellationError())
            }
        }
    }

    private static func serve(
        _ requests: AsyncStream<Request>, pipeline: PartitionPipeline, config: EngineConfig, logger: Logger
    ) async {
        var needsRecovery = true
        var stopping = false
        // Next offset of the events topic after what this worker processed, for the lag gauge.
        var position: Int64?
        var iterator = requests.makeAsyncIterator()
        while let request = await iterator.next() {
            var backoff = config.retryBackoff
            var attempt = 1
            while true {
                do {
                    if needsRecovery {
                        try await pipeline.recover()
                        needsRecovery = false
                    }
                    try await run(request.job, pipeline: pipeline, config: config, position: position)
                    if case .batch(let inputs, let letters) = request.job {
                        let offsets = inputs.compactMap(\.source?.offset) + letters.map(\.message.offset)
                        if let last = offsets.max() { position = max(position ?? 0, last + 1) }
                    }
                    request.done.resume()
                    break
                } catch {
                    needsRecovery = true
                    // Another process wrote one of our customers: expected now and then, retried at once.
                    let concurrent = error is ConcurrentUpdate
                    logger.log(
                        level: concurrent ? .notice : .error,
                        concurrent ? "customer changed concurrently; retrying" : "partition batch failed; retrying",
                        metadata: [
                            EngineLogKeys.partition: "\(pipeline.partition)", EngineLogKeys.attempt: "\(attempt)",
                            EngineLogKeys.error: "\(error)",
                        ])
                    // A worker being stopped gives up: the batch is not committed and will be
                    // redelivered to whoever owns the partition next.
                    stopping = stopping || Task.isCancelled
                    if stopping || attempt >= 50 {
                        request.done.resume(throwing: error)
                        break
                    }
                    if !concurrent {
                        try? await Task.sleep(for: backoff)
                        backoff = min(backoff * 2, .seconds(5))
                    }
                    attempt += 1
                }
            }
        }
    }

    private static func run(
        _ job: Job, pipeline: PartitionPipeline, config: EngineConfig, position: Int64?
    ) async throws {
        switch job {
        case .batch(let inputs, let deadLetters):
            try await pipeline.run(inputs, deadLetters: deadLetters, now: .wallClock())
        case .dueTimers:
            // Keep firing while full batches come back: a backlog drains without waiting a tick.
            while true {
                let now = Timestamp.wallClock()
                let due = try await pipeline.dueTimers(now: now, limit: config.timerBatchSize)
                if due.isEmpty { return }
                try await pipeline.run(due, deadLetters: [], now: now)
                if due.count < config.timerBatchSize { return }
            }
        case .refreshGauges:
            try await pipeline.refreshGauges(position: position)
        }
    }
}

extension Timestamp {
    /// The runtime's clock (engine and API); the pure core only ever sees the value.
    public static func wallClock() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}

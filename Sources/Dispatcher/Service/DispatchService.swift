import NudgeRecords
import ProcessSupport
import EngineCore
import SharedStores
import Foundation
import Logging
import NudgeKafka
import ServiceLifecycle

/// How the dispatcher consumes the outbound topic.
public struct DispatchServiceConfig: Sendable {
    public var groupId: String
    public var outboundTopic: String
    /// Messages of one batch in flight at once (providers answer in tens of milliseconds; a
    /// serial dispatcher would be bounded by their latency, not by anything of ours).
    public var concurrency: Int
    public var maxBatchSize: Int
    public var sessionTimeout: Duration
    public var maxPollInterval: Duration
    /// Pause before a batch is retried after Redis or PostgreSQL failed; doubles up to 5 s.
    public var retryBackoff: Duration

    public init(
        groupId: String = "nudge-dispatcher", outboundTopic: String, concurrency: Int = 64, maxBatchSize: Int = 500,
        sessionTimeout: Duration = .seconds(10), maxPollInterval: Duration = .seconds(300),
        retryBackoff: Duration = .milliseconds(200)
    ) {
        self.groupId = groupId
        self.outboundTopic = outboundTopic
        self.concurrency = max(1, concurrency)
        self.maxBatchSize = maxBatchSize
        self.sessionTimeout = sessionTimeout
        self.maxPollInterval = maxPollInterval
        self.retryBackoff = retryBackoff
    }
}

/// `nudge dispatch`: consumes the outbound topic in a consumer group, dispatches each batch's
/// messages concurrently, writes their statuses to the message log, and only then commits the
/// offsets. A crash anywhere replays the uncommitted records; the dispatch ledger turns each
/// replayed message that already reached its provider into a log entry and nothing else.
public struct DispatchService: Service {
    let config: DispatchServiceConfig
    let kafka: KafkaConfig
    let dispatcher: MessageDispatcher
    let messageLog: any MessageLog
    let metrics: DispatchMetrics
    let logger: Logger

    public init(
        config: DispatchServiceConfig, kafka: KafkaConfig, dispatcher: MessageDispatcher, messageLog: any MessageLog,
        metrics: DispatchMetrics = DispatchMetrics(), logger: Logger
    ) {
        self.config = config
        self.kafka = kafka
        self.dispatcher = dispatcher
        self.messageLog = messageLog
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        var client = kafka
        if client.properties["fetch.wait.max.ms"] == nil { client.properties["fetch.wait.max.ms"] = "10" }
        let consumer = try KafkaConsumer(
            config: KafkaConsumerConfig(
                client: client, groupId: config.groupId, topics: [config.outboundTopic], offsetReset: .earliest,
                rebalanceStrategy: .eager, maxBatchSize: config.maxBatchSize, maxPollInterval: config.maxPollInterval,
                sessionTimeout: config.sessionTimeout, revocationTimeout: config.maxPollInterval / 2),
            logger: logger)
        let gate = ShutdownGate()
        logger.info("dispatcher started", metadata: [DispatchLogKeys.topic: "\(config.outboundTopic)"])
        defer { logger.info("dispatcher stopped") }
        do {
            try await withGracefulShutdownHandler {
                for try await event in consumer.events {
                    switch event {
                    case .assigned:
                        break
                    case .revoked(_, let revocation):
                        // Batches finish before the next poll, so nothing of a revoked partition is in flight.
                        revocation.acknowledge()
                    case .messages(let messages):
                        guard gate.beginBatch() else { continue }
                        try await process(messages)
                        try await consumer.commit(messages.nextOffsets)
                        if gate.endBatch() { await consumer.close() }
                    }
                }
            } onGracefulShutdown: {
                if gate.requestStop() { Task { await consumer.close() } }
            }
        } catch {
            await consumer.close()
            if !(error is CancellationError) {
                logger.error("dispatcher stopped on error", metadata: [DispatchLogKeys.error: "\(error)"])
            }
            throw error
        }
        await consumer.close()
    }

    /// Dispatches a batch until it went through; retries (with backoff) what Redis or
    /// PostgreSQL refused. Providers are never called twice for a message: the ledger knows.
    func process(_ records: [KafkaMessage]) async throws {
        let start = ContinuousClock.now
        var messages: [ReceivedMessage] = []
        for record in records {
            metrics.records.increment()
            do {
                messages.append(
                    ReceivedMessage(
                        message: try JSONDecoder().decode(OutboundMessage.self, from: Data(record.value)),
                        record: record.value))
            } catch {
                // Only the engine writes this topic; a record it cannot have written is logged and skipped.
                logger.error(
                    "undecodable outbound record skipped",
                    metadata: [
                        DispatchLogKeys.topic: "\(record.topic)/\(record.partition)@\(record.offset)",
                        DispatchLogKeys.error: "\(error)",
                    ])
            }
        }
        var backoff = config.retryBackoff
        while true {
            do {
                let entries = try await dispatchAll(messages)
                try await messageLog.record(entries)
                FailPoint.afterDispatchBatch.check()
                metrics.batchSeconds.recordNanoseconds(Int64((ContinuousClock.now - start) / .nanoseconds(1)))
                return
            } catch let error as CancellationError {
                throw error
            } catch {
                logger.warning("dispatch batch failed; retrying", metadata: [DispatchLogKeys.error: "\(error)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// Runs the dispatcher over the messages, at most `concurrency` at a time. A message that
    /// fails (Redis down) does not cancel the others: a provider call cut off halfway would leave
    /// its message of unknown outcome. The first error is thrown once all have finished.
    private func dispatchAll(_ messages: [ReceivedMessage]) async throws -> [MessageLogEntry] {
        let dispatcher = self.dispatcher
        let outcome = await withTaskGroup(
            of: Result<[MessageLogEntry], any Error>.self, returning: Result<[MessageLogEntry], any Error>.self
        ) { group in
            var entries: [MessageLogEntry] = []
            var firstError: (any Error)?
            var next = messages.makeIterator()
            let dispatch = { @Sendable (received: ReceivedMessage) async -> Result<[MessageLogEntry], any Error> in
                do {
                    return .success(try await dispatcher.dispatch(received.message, record: received.record))
                } catch { return .failure(error) }
            }
            for _ in 0..<config.concurrency {
                guard let message = next.next() else { break }
                group.addTask { await dispatch(message) }
            }
            while let done = await group.next() {
                switch done {
                case .success(let logged): entries += logged
                case .failure(let error): firstError = firstError ?? error
                }
                // After a failure the batch is retried whole: start nothing more.
                if firstError == nil, let message = next.next() { group.addTask { await dispatch(message) } }
            }
            return firstError.map { .failure($0) } ?? .success(entries)
        }
        return try outcome.get()
    }
}

/// An outbound record and what it decoded to: a held message keeps the record as it came.
struct ReceivedMessage: Sendable {
    var message: OutboundMessage
    var record: [UInt8]
}

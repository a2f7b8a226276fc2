import EngineCore
import NudgeRecords
import ProcessSupport
import Logging
import NudgeKafka
import NudgeRedis
import ServiceLifecycle
import Synchronization

/// `nudge engine`: consumes the event topics in a consumer group and hands each assigned
/// partition's records to its `PartitionWorker`, without waiting for them: polling, the
/// partitions' pipelines and offset commits overlap. Offsets are committed (in the background)
/// only after a batch's state is durable and its records delivered. Partitions are processed in
/// parallel, each in order. On revoke, the partition's work finishes and is committed before it
/// is released; on assign, its outbox is recovered and its timers start firing.
public struct EngineService: Service {
    let config: EngineConfig
    let kafka: KafkaConfig
    let catalog: CatalogHolder
    let redis: RedisClient
    let producer: KafkaProducer
    let logger: Logger

    public init(
        config: EngineConfig, kafka: KafkaConfig, catalog: CatalogHolder,
        redis: RedisClient, producer: KafkaProducer, logger: Logger
    ) {
        self.config = config
        self.kafka = kafka
        self.catalog = catalog
        self.redis = redis
        self.producer = producer
        self.logger = logger
    }

    public func run() async throws {
        // A short fetch wait keeps latency low when events trickle in (librdkafka waits 500 ms for
        // a fetch to fill by default); an explicit kafka.properties setting wins.
        var client = kafka
        if client.properties["fetch.wait.max.ms"] == nil {
            client.properties["fetch.wait.max.ms"] = String(Int(config.fetchWait / .milliseconds(1)))
        }
        let consumer = try KafkaConsumer(
            config: KafkaConsumerConfig(
                client: client, groupId: config.groupId, topics: config.topics.consumed, offsetReset: .earliest,
                rebalanceStrategy: .eager, maxBatchSize: config.maxBatchSize, maxPollInterval: config.maxPollInterval,
                sessionTimeout: config.sessionTimeout, revocationTimeout: config.maxPollInterval / 2),
            logger: logger)
        let reader = try KafkaPartitionReader(config: kafka, logger: logger)
        let gate = ShutdownGate()
        let metrics = EngineMetrics()
        let committer = OffsetCommitter()
        let workers = PartitionWorkers()
        let failure = FailureBox()
        let keys = RedisKeys(prefix: config.keyPrefix)
        logger.info("engine started", metadata: [EngineLogKeys.groupId: "\(config.groupId)"])

        let config = self.config
        let catalog = self.catalog
        let redis = self.redis
        let producer = self.producer
        let logger = self.logger
        @Sendable func makeWorker(for partition: Int32) -> PartitionWorker {
            let pipeline = PartitionPipeline(
                partition: partition, catalog: catalog, redis: redis, keys: keys, producer: producer,
                reader: reader, topics: config.topics, metrics: metrics, logger: logger)
            return PartitionWorker(
                pipeline: pipeline, config: config, committer: committer,
                onFailure: { error in
                    // A partition that cannot make progress stops the engine (its supervisor restarts it).
                    if failure.set(error) { Task { await consumer.close() } }
                }, logger: logger)
        }
        /// Drains every worker, commits what they finished, then leaves the group.
        @Sendable func stopAll() async {
            for worker in workers.removeAll() { await worker.stop() }
            do {
                try await committer.commit(consumer)
            } catch {
                logger.warning("final offset commit failed", metadata: [EngineLogKeys.error: "\(error)"])
            }
            await consumer.close()
        }
        // Offsets of finished batches are committed in the background, off the pipeline's path.
        let commits = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: config.commitInterval)
                do {
                    try await committer.commit(consumer)
                } catch {
                    logger.warning("offset commit failed; retrying", metadata: [EngineLogKeys.error: "\(error)"])
                }
            }
        }
        defer { commits.cancel() }

        do {
            try await withGracefulShutdownHandler {
                for try await event in consumer.events {
                    switch event {
                    case .assigned(let partitions):
                        for partition in partitions where partition.topic == config.topics.events {
                            _ = workers.worker(for: partition.partition, make: makeWorker)
                            if partition.partition >= config.partitions {
                                // The replan hashes customer ids onto `config.partitions`.
                                logger.error(
                                    "topics.partitions is lower than the events topic's partitions; the replan misses customers",
                                    metadata: [
                                        EngineLogKeys.partition: "\(partition.partition)",
                                        EngineLogKeys.partitions: "\(config.partitions)",
                                    ])
                            }
                        }
                        logger.info("partitions assigned", metadata: [EngineLogKeys.partitions: "\(partitions)"])
                    case .revoked(let partitions, let revocation):
                        // The partitions' work finishes and is committed before they are released.
                        let numbers = Set(partitions.map(\.partition))
                        for partition in numbers { await workers.remove(partition)?.stop() }
                        do {
                            try await committer.commit(consumer, only: numbers)
                        } catch {
                            logger.warning(
                                "offset commit on revoke failed", metadata: [EngineLogKeys.error: "\(error)"])
                        }
                        committer.forget(numbers)
                        revocation.acknowledge()
                        logger.info("partitions revoked", metadata: [EngineLogKeys.partitions: "\(partitions)"])
                    case .messages(let messages):
                        guard gate.beginBatch() else { continue }
                        await dispatch(messages, to: workers, make: makeWorker)
                        if gate.endBatch() { await stopAll() }
                    }
                }
            } onGracefulShutdown: {
                if gate.requestStop() { Task { await stopAll() } }
            }
        } catch {
            if error is CancellationError {
                logger.info("engine cancelled")
            } else {
                logger.error("engine stopped on error", metadata: [EngineLogKeys.error: "\(error)"])
            }
            await stopAll()
            await reader.close()
            throw error
        }
        await stopAll()
        await reader.close()
        if let error = failure.error {
            logger.error("engine stopped on error", metadata: [EngineLogKeys.error: "\(error)"])
            throw error
        }
        logger.info("engine stopped")
    }

    /// Hands each partition's share of a poll batch to its worker, in order. Returns as soon as
    /// they are queued (waiting only while a worker is far behind): the next poll overlaps them.
    private func dispatch(
        _ messages: [KafkaMessage], to workers: PartitionWorkers, make: (Int32) -> PartitionWorker
    ) async {
        var byPartition: [Int32: [KafkaMessage]] = [:]
        for message in messages { byPartition[message.partition, default: []].append(message) }
        for (partition, records) in byPartition.sorted(by: { $0.key < $1.key }) {
            await workers.worker(for: partition, make: make).process(records)
        }
    }
}

/// The partition workers of an engine process, shared by the consumer loop and the shutdown path.
final class PartitionWorkers: Sendable {
    private let workers = Mutex<[Int32: PartitionWorker]>([:])

    func worker(for partition: Int32, make: (Int32) -> PartitionWorker) -> PartitionWorker {
        workers.withLock { workers in
            if let existing = workers[partition] { return existing }
            let created = make(partition)
            workers[partition] = created
            return created
        }
    }

    func remove(_ partition: Int32) -> PartitionWorker? { workers.withLock { $0.removeValue(forKey: partition) } }

    func removeAll() -> [PartitionWorker] {
        workers.withLock { workers in
            defer { workers = [:] }
            return Array(workers.values)
        }
    }
}

/// The first error that stopped a worker for good.
final class FailureBox: Sendable {
    private let state = Mutex<(any Error)?>(nil)

    /// True for the first error set.
    func set(_ error: any Error) -> Bool {
        state.withLock { state in
            guard state == nil else { return false }
            state = error
            return true
        }
    }

    var error: (any Error)? { state.withLock { $0 } }
}

import EngineCore
import Logging
import NudgeKafka
import NudgeRedis
import ServiceLifecycle

/// `nudge engine`: consumes the event topics in a consumer group and runs each assigned
/// partition's inputs through its `PartitionWorker`, committing offsets only after a batch's
/// state is durable and its records produced. Partitions are processed in parallel, each in
/// order. On revoke, the partition's work finishes before it is released; on assign, its
/// outbox is recovered and its timers start firing.
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
        var workers: [Int32: PartitionWorker] = [:]
        logger.info("engine started", metadata: [EngineLogKeys.groupId: "\(config.groupId)"])

        func worker(for partition: Int32) -> PartitionWorker {
            if let existing = workers[partition] { return existing }
            let pipeline = PartitionPipeline(
                partition: partition, catalog: catalog, redis: redis, keys: RedisKeys(prefix: config.keyPrefix),
                producer: producer, reader: reader, topics: config.topics, metrics: metrics, logger: logger)
            let created = PartitionWorker(pipeline: pipeline, config: config, logger: logger)
            workers[partition] = created
            return created
        }

        do {
            try await withGracefulShutdownHandler {
                for try await event in consumer.events {
                    switch event {
                    case .assigned(let partitions):
                        for partition in partitions where partition.topic == config.topics.events {
                            _ = worker(for: partition.partition)
                        }
                        logger.info("partitions assigned", metadata: [EngineLogKeys.partitions: "\(partitions)"])
                    case .revoked(let partitions, let revocation):
                        for partition in partitions where partition.topic == config.topics.events {
                            await workers.removeValue(forKey: partition.partition)?.stop()
                        }
                        revocation.acknowledge()
                        logger.info("partitions revoked", metadata: [EngineLogKeys.partitions: "\(partitions)"])
                    case .messages(let messages):
                        guard gate.beginBatch() else { continue }
                        try await process(messages, workerFor: worker, consumer: consumer, metrics: metrics)
                        if gate.endBatch() { await consumer.close() }
                    }
                }
            } onGracefulShutdown: {
                if gate.requestStop() { Task { await consumer.close() } }
            }
        } catch {
            if error is CancellationError {
                logger.info("engine cancelled")
            } else {
                logger.error("engine stopped on error", metadata: [EngineLogKeys.error: "\(error)"])
            }
            for worker in workers.values { await worker.stop() }
            await consumer.close()
            await reader.close()
            throw error
        }
        for worker in workers.values { await worker.stop() }
        await consumer.close()
        await reader.close()
        logger.info("engine stopped")
    }

    /// Runs each partition's share of a poll batch on its worker (in parallel, decoding
    /// included), then commits the offsets after them.
    private func process(
        _ messages: [KafkaMessage], workerFor worker: (Int32) -> PartitionWorker, consumer: KafkaConsumer,
        metrics: EngineMetrics
    ) async throws {
        var byPartition: [Int32: [KafkaMessage]] = [:]
        var next: [KafkaTopicPartition: KafkaTopicPartitionOffset] = [:]
        for message in messages {
            next[message.topicPartition] = message.nextOffset
            byPartition[message.partition, default: []].append(message)
        }
        let assigned = byPartition.map { (worker($0.key), $0.value) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (partitionWorker, records) in assigned {
                group.addTask { try await partitionWorker.process(records) }
            }
            try await group.waitForAll()
        }
        try await consumer.commit(Array(next.values))
    }
}

import EngineCore
import Ingest
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
        let consumer = try KafkaConsumer(
            config: KafkaConsumerConfig(
                client: kafka, groupId: config.groupId, topics: [config.topics.events], offsetReset: .earliest,
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

    /// Decodes a poll batch, runs each partition's share on its worker (in parallel), then
    /// commits the offsets after them.
    private func process(
        _ messages: [KafkaMessage], workerFor worker: (Int32) -> PartitionWorker, consumer: KafkaConsumer,
        metrics: EngineMetrics
    ) async throws {
        let decoder = EventDecoder(maxEventBytes: config.maxEventBytes)
        var inputs: [Int32: [WorkInput]] = [:]
        var deadLetters: [Int32: [DeadLetter]] = [:]
        var next: [KafkaTopicPartition: KafkaTopicPartitionOffset] = [:]
        for message in messages {
            next[message.topicPartition] = message.nextOffset
            let source = KafkaTopicPartitionOffset(topic: message.topic, partition: message.partition, offset: message.offset)
            switch decoder.decode(message.value, recordId: "\(message.topic)/\(message.partition)/\(message.offset)") {
            case .success(let event):
                guard let customerId = event.customerId else { continue }
                inputs[message.partition, default: []].append(
                    WorkInput(customerId: customerId, kind: .event(event), source: source))
            case .failure(let reason):
                deadLetters[message.partition, default: []].append(
                    DeadLetter(message: message, code: reason.code, reason: reason.message))
            }
        }
        let partitions = Set(inputs.keys).union(deadLetters.keys)
        let assigned = Dictionary(uniqueKeysWithValues: partitions.map { ($0, worker($0)) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (partition, partitionWorker) in assigned {
                let batch = inputs[partition] ?? []
                let letters = deadLetters[partition] ?? []
                group.addTask { try await partitionWorker.process(batch, deadLetters: letters) }
            }
            try await group.waitForAll()
        }
        try await consumer.commit(Array(next.values))
    }
}

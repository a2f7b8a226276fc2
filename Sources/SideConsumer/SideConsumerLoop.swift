import Logging
import NudgeKafka
import ServiceLifecycle

/// The loop of a side consumer (the message log, the timeline recorder): reads its topics in a
/// consumer group of its own, hands each batch to `record`, commits the batch's offsets only after
/// `record` returned, and closes the consumer on every way out (the events end, graceful shutdown,
/// cancellation, a batch that throws), so the group never waits a session timeout for a dead member.
public struct SideConsumerLoop: Sendable {
    public let config: KafkaConsumerConfig
    let logger: Logger

    public init(config: KafkaConsumerConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// The settings every side consumer runs with: from the earliest offset, eager rebalances,
    /// batches of up to 1,000, and a 50 ms fetch wait unless the client sets its own.
    public init(kafka: KafkaConfig, groupId: String, topics: [String], sessionTimeout: Duration, logger: Logger) {
        var client = kafka
        if client.properties["fetch.wait.max.ms"] == nil { client.properties["fetch.wait.max.ms"] = "50" }
        let config = KafkaConsumerConfig(
            client: client, groupId: groupId, topics: topics, offsetReset: .earliest, rebalanceStrategy: .eager,
            maxBatchSize: 1000, maxPollInterval: .seconds(60), sessionTimeout: sessionTimeout,
            revocationTimeout: .seconds(30))
        self.init(config: config, logger: logger)
    }

    /// Runs until graceful shutdown closes the consumer, or rethrows what `record` (or the consumer)
    /// threw, with that batch uncommitted. Retries, if any, belong inside `record`.
    public func run(record: ([KafkaMessage]) async throws -> Void) async throws {
        let consumer = try KafkaConsumer(config: config, logger: logger)
        try await Self.run(consumer, record: record)
    }

    /// The loop over a consumer made by the caller; closes it before returning or throwing.
    static func run(_ consumer: KafkaConsumer, record: ([KafkaMessage]) async throws -> Void) async throws {
        do {
            try await withGracefulShutdownHandler {
                for try await event in consumer.events {
                    switch event {
                    case .assigned: break
                    // Batches are recorded before the next poll, so nothing is in flight here.
                    case .revoked(_, let revocation): revocation.acknowledge()
                    case .messages(let messages):
                        try await record(messages)
                        try await consumer.commit(messages.nextOffsets)
                    }
                }
            } onGracefulShutdown: {
                Task { await consumer.close() }
            }
        } catch is ShutdownDuringRetry {
            // The batch stays uncommitted: the next member of the group records it.
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }

    /// Runs `write` until it succeeds, waiting 200 ms (doubling up to 5 s) between tries while a
    /// store is down; the batch stays uncommitted meanwhile, so nothing is lost. Graceful shutdown
    /// ends the wait: `run` then returns with the batch uncommitted instead of holding the
    /// process up until the store comes back.
    public static func retrying<T>(
        _ what: String, logger: Logger, _ write: () async throws -> T
    ) async throws -> T {
        var backoff = Duration.milliseconds(200)
        while true {
            do {
                return try await write()
            } catch {
                logger.warning("\(what) failed; retrying", metadata: ["error": "\(error)"])
                let wait = backoff
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                if Task.isShuttingDownGracefully { throw ShutdownDuringRetry() }
                try Task.checkCancellation()
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}

/// Graceful shutdown came while a batch was being retried (see `SideConsumerLoop.retrying`).
struct ShutdownDuringRetry: Error {}

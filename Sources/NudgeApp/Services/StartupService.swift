import Logging
import NudgeKafka
import NudgePostgres
import PostgresNIO
import ServiceLifecycle

/// Brings the platform's shared state up to date before work starts: PostgreSQL migrations and
/// Kafka topics. Then it stays until shutdown, so the group keeps running. A failure here stops
/// the whole group with the error: a platform without its schema or topics must not run.
struct StartupService: Service {
    let postgres: PostgresClient?
    let admin: KafkaAdmin
    let topics: TopicsConfig
    let state: StartupState
    /// When the catalog comes from PostgreSQL: deploy the rules folder and load it before the
    /// engine starts.
    let catalog: CatalogSync?
    let logger: Logger

    func run() async throws {
        do {
            if let postgres {
                let report = try await Migrator(client: postgres, logger: logger).apply(BundledMigrations.load())
                logger.info("schema ready", metadata: ["postgres.migrations.applied": "\(report.applied.count)"])
            }
            if let catalog { state.catalogRevision = try await catalog.seedAndLoad() }
            try await admin.createTopics(topics.specs)
            logger.info("topics ready", metadata: [LogKeys.kafkaTopic: "\(topics.all.joined(separator: ","))"])
            state.finished()
        } catch {
            state.failed(error)
            logger.error("start-up failed", metadata: [LogKeys.error: "\(error)"])
            throw error
        }
        try? await gracefulShutdown()
    }
}

extension TopicsConfig {
    var specs: [KafkaTopicSpec] {
        all.map {
            KafkaTopicSpec(name: $0, partitions: Int32(partitions), replicationFactor: Int32(replicationFactor))
        }
    }
}

import Hummingbird
import Logging
import NudgeKafka
import NudgePostgres
import NudgeRedis
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// The composition root: builds every service of a Nudge process from its configuration and runs
/// them in one `ServiceGroup` that shuts down gracefully on SIGTERM or SIGINT.
public struct NudgeApplication: Sendable {
    let group: ServiceGroup

    public func run() async throws {
        try await group.run()
    }

    public static func build(config: NudgeConfig, logger baseLogger: Logger? = nil) async throws -> NudgeApplication {
        var logger = baseLogger ?? Logger(label: "nudge")
        logger.logLevel = config.logLevel
        let registry = MetricsBootstrap.prometheus()

        try KafkaLibrary.checkVersion()
        logger.info(
            "starting nudge",
            metadata: [
                LogKeys.librdkafkaVersion: "\(KafkaLibrary.versionString)",
                LogKeys.kafkaBrokers: "\(config.kafka.brokers.joined(separator: ","))",
                LogKeys.redisEndpoint: "\(config.redis.endpoint)",
                LogKeys.postgresEndpoint: "\(config.postgres.endpointDescription)",
            ])

        let postgres = PostgresClient(config: config.postgres, logger: logger)
        let redis = RedisClient(config: config.redis, logger: logger)
        let admin = try KafkaAdmin(config: config.kafka, logger: logger)
        let producer = try KafkaProducer(config: KafkaProducerConfig(client: config.kafka), logger: logger)
        let startup = StartupState()

        let router = buildRouter(
            checks: [
                startup,
                PostgresCheck(client: postgres),
                RedisCheck(client: redis),
                KafkaCheck(admin: admin, topic: config.topics.events),
            ],
            registry: registry,
            readinessTimeout: config.http.readinessTimeout
        )
        let http = Application(
            router: router,
            configuration: .init(address: .hostname(config.http.host, port: config.http.port), serverName: "nudge"),
            logger: logger
        )

        // Started in this order, shut down in reverse: clients first up, last down.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: postgres),
                    .init(service: KafkaClientsService(producer: producer, admin: admin)),
                    .init(
                        service: StartupService(
                            postgres: postgres, admin: admin, topics: config.topics, state: startup, logger: logger)),
                    .init(service: http),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        return NudgeApplication(group: group)
    }

    /// Applies pending migrations with a short-lived client, for `nudge migrate`.
    public static func migrate(config: NudgeConfig, logger: Logger = Logger(label: "nudge")) async throws
        -> Migrator.Report
    {
        let client = PostgresClient(config: config.postgres, logger: logger)
        return try await withThrowingTaskGroup(of: Migrator.Report?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await Migrator(client: client, logger: logger).apply(BundledMigrations.load())
        }
    }
}

/// The HTTP routes of a Nudge process, testable without a server (`app.test(.router)`).
func buildRouter(
    checks: [any DependencyCheck],
    registry: PrometheusCollectorRegistry,
    readinessTimeout: Duration
) -> Router<BasicRequestContext> {
    let router = Router()
    OperationsRoutes<BasicRequestContext>(checks: checks, registry: registry, checkTimeout: readinessTimeout)
        .add(to: router)
    return router
}

import Hummingbird
import Logging
import Engine
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

    /// What a process runs: `nudge run` runs everything, `nudge engine` only the engine (with
    /// the operations endpoints).
    public struct Components: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// PostgreSQL and its migrations.
        public static let postgres = Components(rawValue: 1 << 0)
        /// The engine runtime: Kafka in, Redis state and timers, messages out.
        public static let engine = Components(rawValue: 1 << 1)
        public static let all: Components = [.postgres, .engine]
    }

    public static func build(
        config: NudgeConfig, components: Components = .all, logger baseLogger: Logger? = nil
    ) async throws -> NudgeApplication {
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
        let rules = try RulesLoading.load(directory: config.rulesDirectory)
        logger.info(
            "rules loaded",
            metadata: [
                LogKeys.rulesDirectory: "\(config.rulesDirectory)", LogKeys.scenarioCount: "\(rules.scenarioCount)",
                LogKeys.policyFile: "\(rules.policy?.location.file ?? "none")",
            ])

        let redis = RedisClient(config: config.redis, logger: logger)
        let admin = try KafkaAdmin(config: config.kafka, logger: logger)
        let producer = try KafkaProducer(config: KafkaProducerConfig(client: config.kafka), logger: logger)
        let postgres = components.contains(.postgres) ? PostgresClient(config: config.postgres, logger: logger) : nil
        let startup = StartupState()

        var checks: [any DependencyCheck] = [
            startup, RedisCheck(client: redis), KafkaCheck(admin: admin, topic: config.topics.events),
        ]
        if let postgres { checks.append(PostgresCheck(client: postgres)) }
        let http = Application(
            router: buildRouter(checks: checks, registry: registry, readinessTimeout: config.http.readinessTimeout),
            configuration: .init(address: .hostname(config.http.host, port: config.http.port), serverName: "nudge"),
            logger: logger
        )

        // Started in this order, shut down in reverse: clients first up, last down. The engine
        // starts after start-up has created the topics it consumes.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let postgres { services.append(.init(service: postgres)) }
        services.append(.init(service: KafkaClientsService(producer: producer, admin: admin)))
        services.append(
            .init(
                service: StartupService(
                    postgres: postgres, admin: admin, topics: config.topics, state: startup, logger: logger)))
        if components.contains(.engine) {
            let engine = EngineService(
                config: EngineConfig(config),
                kafka: config.kafka,
                catalog: CatalogHolder(rules.catalog, policy: rules.policy ?? .unrestricted),
                redis: redis,
                producer: producer,
                logger: logger
            )
            services.append(.init(service: AfterStartup(startup: startup, service: engine)))
        }
        services.append(.init(service: http))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
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

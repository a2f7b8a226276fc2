import Hummingbird
import Logging
import API
import Dispatcher
import Engine
import EngineCore
import RuleFileReader
import Foundation
import NudgeKafka
import NudgePostgres
import NudgeRedis
import PostgresNIO
import ScenarioStore
import SharedStores
import Timeline
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
    /// the operations endpoints), `nudge serve` the HTTP API and the timeline recorder,
    /// `nudge dispatch` the dispatcher.
    public struct Components: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// PostgreSQL and its migrations.
        public static let postgres = Components(rawValue: 1 << 0)
        /// The engine runtime: Kafka in, Redis state and timers, messages out.
        public static let engine = Components(rawValue: 1 << 1)
        /// The dispatcher: outbound messages to the providers, feedback into the message log
        /// (needs PostgreSQL).
        public static let dispatcher = Components(rawValue: 1 << 2)
        /// The public and admin HTTP API beside the operations endpoints (needs PostgreSQL).
        public static let serve = Components(rawValue: 1 << 3)
        /// The customer timeline recorder, when `timeline.enabled` (needs PostgreSQL).
        public static let timeline = Components(rawValue: 1 << 4)
        public static let all: Components = [.postgres, .engine, .dispatcher, .serve, .timeline]
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
        // The public API needs PostgreSQL (API keys, audit log); other processes serve operations only.
        let served = components.contains(.serve) ? postgres : nil
        let impressions = served.map { _ in
            ImpressionRecorder(
                producer: producer, topic: config.topics.events, capacity: config.api.impressionBufferSize,
                logger: logger)
        }
        // Connectors and templates: the dispatcher sends with them, the API takes their callbacks.
        let dispatch =
            postgres == nil || (!components.contains(.serve) && !components.contains(.dispatcher))
            ? nil
            : try DispatcherAssembly.load(
                config: config, catalog: rules.catalog, dispatching: components.contains(.dispatcher))
        if dispatch != nil, config.tracking.secret == nil {
            logger.warning("tracking.secret is not set: links are not tracked and /t/... is off")
        }
        let api = both(served, impressions).map { postgres, impressions in
            APIDependencies(
                config: config.api, eventsTopic: config.topics.events, redisKeyPrefix: config.redisKeyPrefix,
                producer: producer, redis: redis, keyStore: PostgresAPIKeyStore(client: postgres, logger: logger),
                auditLog: PostgresAuditLog(client: postgres, logger: logger), impressions: impressions,
                feedback: dispatch?.feedback(config: config, producer: producer, redis: redis, logger: logger),
                admin: AdminDependencies(
                    postgres: postgres, partitions: config.topics.partitions, policy: rules.policy ?? .unrestricted,
                    outboundTopic: config.topics.outbound, logger: logger),
                logger: logger)
        }
        let http = Application(
            router: buildRouter(
                checks: checks, registry: registry, readinessTimeout: config.http.readinessTimeout, api: api),
            configuration: .init(address: .hostname(config.http.host, port: config.http.port), serverName: "nudge"),
            logger: logger
        )

        // Started in this order, shut down in reverse: clients first up, last down. The engine
        // starts after start-up has created the topics it consumes.
        // With PostgreSQL the engine runs what is deployed there (the rules folder is deployed at
        // start) and follows later deploys; without it, the rules folder as loaded.
        let holder = CatalogHolder(rules.catalog, policy: rules.policy ?? .unrestricted)
        let catalogSync = postgres.map {
            CatalogSync(
                store: PostgresScenarioStore(client: $0, logger: logger), holder: holder,
                policy: rules.policy ?? .unrestricted, rulesDirectory: config.rulesDirectory, logger: logger)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let postgres { services.append(.init(service: postgres)) }
        services.append(.init(service: KafkaClientsService(producer: producer, admin: admin)))
        if let impressions { services.append(.init(service: ImpressionService(recorder: impressions))) }
        services.append(
            .init(
                service: StartupService(
                    postgres: postgres, admin: admin, topics: config.topics, state: startup, catalog: catalogSync,
                    logger: logger)))
        if let catalogSync, components.contains(.engine) {
            services.append(
                .init(
                    service: CatalogReloadService(
                        sync: catalogSync, startup: startup, interval: config.engine.catalogReloadInterval)))
        }
        if components.contains(.engine) {
            let engine = EngineService(
                config: EngineConfig(config),
                kafka: config.kafka,
                catalog: holder,
                redis: redis,
                producer: producer,
                logger: logger
            )
            services.append(.init(service: AfterStartup(startup: startup, service: engine)))
        }
        if let dispatch, let postgres, components.contains(.dispatcher) {
            let service = try dispatch.dispatchService(
                config: config, producer: producer, redis: redis, postgres: postgres, logger: logger)
            services.append(.init(service: AfterStartup(startup: startup, service: service)))
            let feedbackLog = FeedbackLogService(
                kafka: config.kafka, topic: config.topics.feedback, groupId: config.dispatcher.messageLogGroupId,
                messageLog: PostgresMessageLog(client: postgres, logger: logger),
                sessionTimeout: config.engine.sessionTimeout, logger: logger)
            services.append(.init(service: AfterStartup(startup: startup, service: feedbackLog)))
            for mailbox in dispatch.bounceMailboxes(config: config, producer: producer, redis: redis, logger: logger) {
                services.append(.init(service: AfterStartup(startup: startup, service: mailbox)))
            }
        }
        if let postgres, components.contains(.timeline), config.timeline.enabled {
            let recorder = TimelineRecorder(
                kafka: config.kafka,
                settings: TimelineRecorder.Settings(
                    eventsTopic: config.topics.events, feedbackTopic: config.topics.feedback,
                    groupId: config.timeline.groupId, maxEventBytes: config.engine.maxEventBytes,
                    sessionTimeout: config.engine.sessionTimeout),
                timeline: PostgresTimeline(client: postgres, logger: logger), logger: logger)
            services.append(.init(service: AfterStartup(startup: startup, service: recorder)))
        }
        services.append(.init(service: http))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        return NudgeApplication(group: group)
    }

    /// What `nudge deploy` did, a line per file.
    public struct DeployReport: Sendable {
        public var lines: [String] = []
        public var failed = false
    }

    /// Deploys scenario files to PostgreSQL (migrating first), for `nudge deploy`.
    public static func deploy(
        paths: [String], actor: String, config: NudgeConfig, logger: Logger = Logger(label: "nudge")
    ) async throws -> DeployReport {
        try await withPostgres(config: config, logger: logger) { client in
            _ = try await Migrator(client: client, logger: logger).apply(BundledMigrations.load())
            let store = PostgresScenarioStore(client: client, logger: logger)
            var report = DeployReport()
            let (files, missing) = RuleFiles.yamlFiles(in: paths)
            for path in missing {
                report.lines.append("\(path): no such file or directory")
                report.failed = true
            }
            for file in files where !RuleFiles.isPolicyFile(file) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    report.lines.append("\(file): cannot read")
                    report.failed = true
                    continue
                }
                do {
                    switch try await store.deploy(yaml: String(decoding: data, as: UTF8.self), file: file, by: actor) {
                    case .deployed(let id, let version):
                        report.lines.append("\(file): deployed \(id) version \(version)")
                    case .unchanged(let id, let version):
                        report.lines.append("\(file): \(id) version \(version) unchanged")
                    }
                } catch let error as ScenarioStoreError where error.code == .draft {
                    report.lines.append("\(file): skipped (draft)")
                } catch let error as ScenarioStoreError {
                    report.lines.append(error.description)
                    report.failed = true
                }
            }
            return report
        }
    }

    /// Applies pending migrations with a short-lived client, for `nudge migrate`.
    public static func migrate(config: NudgeConfig, logger: Logger = Logger(label: "nudge")) async throws
        -> Migrator.Report
    {
        try await withPostgres(config: config, logger: logger) { client in
            try await Migrator(client: client, logger: logger).apply(BundledMigrations.load())
        }
    }

    /// Runs `body` with a PostgreSQL client that lives as long as the call.
    static func withPostgres<T: Sendable>(
        config: NudgeConfig, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(config: config.postgres, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

/// The HTTP routes of a Nudge process, testable without a server (`app.test(.router)`):
/// operations always, the public API when its dependencies are given.
func buildRouter(
    checks: [any DependencyCheck],
    registry: PrometheusCollectorRegistry,
    readinessTimeout: Duration,
    api: APIDependencies? = nil
) -> Router<APIContext> {
    let router = Router(context: APIContext.self)
    OperationsRoutes<APIContext>(checks: checks, registry: registry, checkTimeout: readinessTimeout)
        .add(to: router)
    if let api { addAPIRoutes(to: router, dependencies: api) }
    return router
}

private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

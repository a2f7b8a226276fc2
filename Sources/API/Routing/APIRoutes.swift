import SharedStores
import NudgeRecords
import ProcessSupport
import Hummingbird
import Logging
import NudgeKafka
import NudgeRedis

/// What the API needs from the process: its configuration and the shared clients.
public struct APIDependencies: Sendable {
    public var config: APIConfig
    /// The topic ingested events and impressions go to (`topics.events`).
    public var eventsTopic: String
    /// `redis.key_prefix`, the same the engine writes content slots under.
    public var redisKeyPrefix: String
    public var producer: KafkaProducer
    public var redis: RedisClient
    public var keyStore: any APIKeyStore
    public var auditLog: any AuditLog
    /// Must be running (`impressions.run()`) for impressions to reach Kafka.
    public var impressions: ImpressionRecorder
    public var metrics: APIMetrics
    /// Provider callbacks and open/click/unsubscribe tracking; nil leaves those routes out.
    public var feedback: FeedbackDependencies?
    /// Scenarios, customers and reports under `/v1/admin`; nil leaves those routes out.
    public var admin: AdminDependencies?
    public var logger: Logger

    public init(
        config: APIConfig, eventsTopic: String, redisKeyPrefix: String, producer: KafkaProducer, redis: RedisClient,
        keyStore: any APIKeyStore, auditLog: any AuditLog, impressions: ImpressionRecorder,
        metrics: APIMetrics = APIMetrics(), feedback: FeedbackDependencies? = nil, admin: AdminDependencies? = nil,
        logger: Logger
    ) {
        self.config = config
        self.eventsTopic = eventsTopic
        self.redisKeyPrefix = redisKeyPrefix
        self.producer = producer
        self.redis = redis
        self.keyStore = keyStore
        self.auditLog = auditLog
        self.impressions = impressions
        self.metrics = metrics
        self.feedback = feedback
        self.admin = admin
        self.logger = logger
    }
}

/// Adds every route of the public API under `/v1`:
/// - public (write keys, site keys; CORS): `/v1/track|identify|page|screen|batch`, `/v1/content`,
///   each with its `OPTIONS` preflight;
/// - feedback (signed): `POST /v1/callbacks/{connector}` (HMAC of the body), `/t/o|c|u/{token}`
///   (signed tracking tokens);
/// - admin (API key, role checked per route): `/v1/admin/keys` (admin),
///   `/v1/admin/customers/{id}/subscriptions` (editor); with `admin` dependencies also
///   `/v1/admin/scenarios...` (read: viewer, validate and lock: editor, deploy and status:
///   publisher), `/v1/admin/scenarios/{id}/report` (viewer), `/v1/admin/customers/{id}` and its
///   `messages` and `timeline` (viewer), the erase `DELETE /v1/admin/customers/{id}` (admin), the
///   audit log `/v1/admin/audit` (one scenario's: viewer; all of it: admin), held messages
///   `/v1/admin/held-messages` (list: viewer; resend, mark-sent, drop: publisher), the engine's
///   replan of existing customers `/v1/admin/replans` (viewer);
///   and the web console under `/console` (signed in with an API key, the same roles).
public func addAPIRoutes<Context: APIRequestContext>(to router: Router<Context>, dependencies: APIDependencies) {
    let metrics = dependencies.metrics
    let config = dependencies.config

    let publicRoutes = router.group("v1")
        .add(middleware: APIMetricsMiddleware<Context>(metrics: metrics))
        .add(middleware: CORSMiddleware<Context>(policy: CORSPolicy(origins: config.corsOrigins)))
    IngestRoutes<Context>(
        config: config, eventsTopic: dependencies.eventsTopic, producer: dependencies.producer, metrics: metrics
    ).add(to: publicRoutes)
    ContentRoutes<Context>(
        config: config,
        reader: ContentSlotReader(
            redis: dependencies.redis, keys: RedisKeys(prefix: dependencies.redisKeyPrefix), logger: dependencies.logger
        ),
        impressions: dependencies.impressions, metrics: metrics
    ).add(to: publicRoutes)
    // Preflight answers come from CORSMiddleware; these routes make the paths match for OPTIONS.
    for path in IngestRoutes<Context>.singleEventTypes + ["batch", "content"] {
        publicRoutes.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent) }
    }

    if let feedback = dependencies.feedback {
        CallbackRoutes<Context>(feedback: feedback, metrics: metrics).add(
            to: router.group("v1").add(middleware: APIMetricsMiddleware<Context>(metrics: metrics)))
        TrackingRoutes<Context>(feedback: feedback).add(to: router)
    }

    let admin = router.group("v1/admin")
        .add(middleware: APIMetricsMiddleware<Context>(metrics: metrics))
        .add(middleware: DependencyErrorMiddleware<Context>())
        .add(
            middleware: APIKeyAuthenticator<Context>(
                store: dependencies.keyStore, ttl: config.keyCacheTTL, metrics: metrics)
        )
        .add(middleware: RequireRole<Context>(.admin))
    AdminKeyRoutes<Context>(store: dependencies.keyStore, audit: dependencies.auditLog).add(to: admin)

    let editors = router.group("v1/admin")
        .add(middleware: APIMetricsMiddleware<Context>(metrics: metrics))
        .add(middleware: DependencyErrorMiddleware<Context>())
        .add(
            middleware: APIKeyAuthenticator<Context>(
                store: dependencies.keyStore, ttl: config.keyCacheTTL, metrics: metrics)
        )
        .add(middleware: RequireRole<Context>(.editor))
    CustomerSubscriptionRoutes<Context>(
        producer: dependencies.producer, eventsTopic: dependencies.eventsTopic, audit: dependencies.auditLog
    ).add(to: editors)

    if let admin = dependencies.admin {
        addAdminRoutes(to: router, admin: admin, dependencies: dependencies)
    }
}

/// Scenario, customer and report routes: one authenticated group; each handler checks its role.
private func addAdminRoutes<Context: APIRequestContext>(
    to router: Router<Context>, admin: AdminDependencies, dependencies: APIDependencies
) {
    let config = dependencies.config
    let keys = RedisKeys(prefix: dependencies.redisKeyPrefix)
    let group = router.group("v1/admin")
        .add(middleware: APIMetricsMiddleware<Context>(metrics: dependencies.metrics))
        // Outside the key check: looking a key up needs PostgreSQL too.
        .add(middleware: DependencyErrorMiddleware<Context>())
        .add(
            middleware: APIKeyAuthenticator<Context>(
                store: dependencies.keyStore, ttl: config.keyCacheTTL, metrics: dependencies.metrics)
        )
    ScenarioRoutes<Context>(store: admin.scenarios).add(to: group)
    ScenarioChangeRoutes<Context>(store: admin.scenarios, maxScenarioBytes: config.maxScenarioBytes).add(to: group)
    ScenarioLockRoutes<Context>(store: admin.scenarios, ttl: config.scenarioLockTTL).add(to: group)
    let reports = ScenarioReportReader(
        redis: dependencies.redis, keys: keys, postgres: admin.postgres, logger: dependencies.logger)
    ScenarioReportRoutes<Context>(store: admin.scenarios, reader: reports).add(to: group)
    let audit = AuditLogReader(postgres: admin.postgres, logger: dependencies.logger)
    AuditRoutes<Context>(reader: audit).add(to: group)
    let ledger = DispatchLedger(redis: dependencies.redis, keyPrefix: dependencies.redisKeyPrefix)
    let customers = CustomerReaders(
        redis: dependencies.redis, keys: keys,
        messages: MessageHistoryReader(postgres: admin.postgres, logger: dependencies.logger),
        timeline: admin.timeline,
        eraser: CustomerEraser(
            redis: dependencies.redis, keys: keys, ledger: ledger, postgres: admin.postgres,
            partitions: admin.partitions, logger: dependencies.logger))
    CustomerRoutes<Context>(customers: customers).add(to: group)
    ReplanRoutes<Context>(
        reader: ReplanReader(redis: dependencies.redis, keys: keys, partitions: admin.partitions)
    ).add(to: group)
    let held = HeldMessageActions(
        ledger: ledger, producer: dependencies.producer, outboundTopic: admin.outboundTopic,
        messageLog: PostgresMessageLog(client: admin.postgres, logger: dependencies.logger),
        audit: dependencies.auditLog, logger: dependencies.logger)
    HeldMessageRoutes<Context>(actions: held).add(to: group)

    addConsoleRoutes(
        to: router,
        console: ConsoleDependencies(
            gate: ConsoleGate(
                sessions: RedisConsoleSessionStore(redis: dependencies.redis, keyPrefix: dependencies.redisKeyPrefix),
                keys: dependencies.keyStore, keyCacheTTL: config.keyCacheTTL, ttl: config.consoleSessionTTL,
                secureCookie: config.consoleSecureCookie),
            store: admin.scenarios, reports: reports, audit: dependencies.auditLog, history: audit,
            customers: customers, held: held, policy: admin.policy,
            suppressions: SuppressionReader(postgres: admin.postgres, logger: dependencies.logger),
            maxScenarioBytes: config.maxScenarioBytes, lockTTL: config.scenarioLockTTL))
}

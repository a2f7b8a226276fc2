import API
import Engine
import Logging
import NudgeKafka
import NudgePostgres
import NudgeRedis

/// Everything a Nudge process is configured with, one section per subsystem. Loaded by
/// `NudgeConfig.load` from a YAML file and `NUDGE_*` environment variables (which win);
/// the accepted keys are documented in `deploy/nudge.yaml`.
public struct NudgeConfig: Sendable {
    public var kafka: KafkaConfig
    public var topics: TopicsConfig
    public var redis: RedisConfig
    /// First part of every Redis key, so deployments (or test runs) can share one Redis.
    public var redisKeyPrefix: String
    public var postgres: PostgresConfig
    public var http: HTTPConfig
    public var engine: EngineTuning
    /// The public HTTP API (`api.*`, `content.*`).
    public var api: APIConfig
    /// Folder of scenario files and `policy.yaml`.
    public var rulesDirectory: String
    /// Folder of connector files (`*.yaml`) with their templates in `templates/`.
    public var connectorsDirectory: String
    public var dispatcher: DispatcherSettings
    public var tracking: TrackingSettings
    public var logLevel: Logger.Level

    public init(
        kafka: KafkaConfig = KafkaConfig(brokers: ["127.0.0.1:19092"]),
        topics: TopicsConfig = TopicsConfig(),
        redis: RedisConfig = RedisConfig(),
        redisKeyPrefix: String = "nudge",
        postgres: PostgresConfig = PostgresConfig(),
        http: HTTPConfig = HTTPConfig(),
        engine: EngineTuning = EngineTuning(),
        api: APIConfig = APIConfig(),
        rulesDirectory: String = "rules",
        connectorsDirectory: String = "connectors",
        dispatcher: DispatcherSettings = DispatcherSettings(),
        tracking: TrackingSettings = TrackingSettings(),
        logLevel: Logger.Level = .info
    ) {
        self.kafka = kafka
        self.topics = topics
        self.redis = redis
        self.redisKeyPrefix = redisKeyPrefix
        self.postgres = postgres
        self.http = http
        self.engine = engine
        self.api = api
        self.rulesDirectory = rulesDirectory
        self.connectorsDirectory = connectorsDirectory
        self.dispatcher = dispatcher
        self.tracking = tracking
        self.logLevel = logLevel
    }
}

/// The dispatcher's knobs (`dispatcher.*`).
public struct DispatcherSettings: Sendable, Equatable {
    public var groupId: String
    /// Messages of a batch in flight at once.
    public var concurrency: Int
    public var maxBatchSize: Int
    /// How long the dispatch ledger remembers a message: replays and callbacks within it are
    /// recognised.
    public var ledgerRetention: Duration

    public init(
        groupId: String = "nudge-dispatcher", concurrency: Int = 64, maxBatchSize: Int = 500,
        ledgerRetention: Duration = .seconds(30 * 24 * 3600)
    ) {
        self.groupId = groupId
        self.concurrency = concurrency
        self.maxBatchSize = maxBatchSize
        self.ledgerRetention = ledgerRetention
    }
}

/// Open/click/unsubscribe tracking (`tracking.*`). Without a secret, links are not rewritten and
/// the tracking endpoints are off.
public struct TrackingSettings: Sendable, Equatable {
    /// The public base URL of this server's `/t/...` endpoints as customers' devices reach it.
    public var baseURL: String
    /// HMAC key of the tracking tokens (`NUDGE_TRACKING_SECRET`); the same in every process.
    public var secret: String?

    public init(baseURL: String = "http://127.0.0.1:8080", secret: String? = nil) {
        self.baseURL = baseURL
        self.secret = secret
    }
}

/// The Kafka topics Nudge reads and writes; created at start when missing.
public struct TopicsConfig: Sendable, Equatable {
    /// Site, app and transaction events (Segment spec), keyed by customer.
    public var events: String
    /// Events that could not be processed, with the reason in a header.
    public var deadLetter: String
    /// Messages the engine decided to send, keyed by customer, for the dispatcher.
    public var outbound: String
    /// Delivery feedback from providers, consumed by the engine like any event.
    public var feedback: String
    /// Partitions per topic: the unit of parallelism and of ownership of timers.
    public var partitions: Int
    public var replicationFactor: Int

    public init(
        events: String = "nudge.events",
        deadLetter: String = "nudge.events.dead-letter",
        outbound: String = "nudge.outbound",
        feedback: String = "nudge.feedback",
        partitions: Int = 8,
        replicationFactor: Int = 1
    ) {
        self.events = events
        self.deadLetter = deadLetter
        self.outbound = outbound
        self.feedback = feedback
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }

    public var all: [String] { [events, deadLetter, outbound, feedback] }
}

/// The HTTP listener: operations endpoints now, the public API later.
public struct HTTPConfig: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Bound for each dependency check of `/ready`.
    public var readinessTimeout: Duration

    public init(host: String = "127.0.0.1", port: Int = 8080, readinessTimeout: Duration = .seconds(2)) {
        self.host = host
        self.port = port
        self.readinessTimeout = readinessTimeout
    }
}


import API
import Configuration
import Engine
import Foundation
import Logging
import NudgeKafka
import NudgePostgres
import NudgeRedis
import SystemPackage

extension NudgeConfig {
    /// Reads the YAML file at `filePath` (when given; it must exist) and the environment, where a key
    /// `redis.port` is `NUDGE_REDIS_PORT`. Environment values win over the file.
    public static func load(
        filePath: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> NudgeConfig {
        let env = KeyMappingProvider(upstream: EnvironmentVariablesProvider(environmentVariables: environment)) {
            $0.prepending(["nudge"])
        }
        var providers: [any ConfigProvider] = [env]
        if let filePath {
            guard FileManager.default.fileExists(atPath: filePath) else {
                throw ConfigError(key: "config", message: "config file \(filePath) does not exist")
            }
            providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(filePath)))
        }
        return try NudgeConfig(reader: ConfigReader(providers: providers))
    }

    init(reader config: ConfigReader) throws {
        let defaults = NudgeConfig()

        let kafka = config.scoped(to: "kafka")
        var kafkaProperties: [String: String] = [:]
        for pair in kafka.stringArray(forKey: "properties", default: []) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw ConfigError(key: "kafka.properties", message: "expected name=value, got \(pair)")
            }
            kafkaProperties[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        self.kafka = KafkaConfig(
            brokers: kafka.stringArray(forKey: "brokers", default: defaults.kafka.brokers),
            clientId: kafka.string(forKey: "client_id", default: defaults.kafka.clientId),
            properties: kafkaProperties
        )

        let topics = config.scoped(to: "topics")
        self.topics = TopicsConfig(
            events: topics.string(forKey: "events", default: defaults.topics.events),
            deadLetter: topics.string(forKey: "dead_letter", default: defaults.topics.deadLetter),
            outbound: topics.string(forKey: "outbound", default: defaults.topics.outbound),
            feedback: topics.string(forKey: "feedback", default: defaults.topics.feedback),
            partitions: try positive(topics, "partitions", defaults.topics.partitions, scope: "topics"),
            replicationFactor: try positive(
                topics, "replication_factor", defaults.topics.replicationFactor, scope: "topics")
        )

        let redis = config.scoped(to: "redis")
        self.redisKeyPrefix = redis.string(forKey: "key_prefix", default: defaults.redisKeyPrefix)
        self.redis = RedisConfig(
            mode: try redisMode(redis),
            host: redis.string(forKey: "host", default: defaults.redis.host),
            port: try port(redis, defaults.redis.port, scope: "redis"),
            nodes: try redisNodes(redis),
            password: redis.string(forKey: "password", isSecret: true),
            database: redis.int(forKey: "database", default: defaults.redis.database),
            poolSize: try positive(redis, "pool_size", defaults.redis.poolSize, scope: "redis"),
            connectTimeout: try duration(redis, "connect_timeout", defaults.redis.connectTimeout, scope: "redis"),
            commandTimeout: try duration(redis, "command_timeout", defaults.redis.commandTimeout, scope: "redis")
        )
        try checkCluster(self.redis)

        let postgres = config.scoped(to: "postgres")
        self.postgres = PostgresConfig(
            host: postgres.string(forKey: "host", default: defaults.postgres.host),
            port: try port(postgres, defaults.postgres.port, scope: "postgres"),
            username: postgres.string(forKey: "user", default: defaults.postgres.username),
            password: postgres.string(forKey: "password", isSecret: true),
            database: postgres.string(forKey: "database", default: defaults.postgres.database),
            connectTimeout: try duration(
                postgres, "connect_timeout", defaults.postgres.connectTimeout, scope: "postgres"),
            maximumConnections: try positive(
                postgres, "max_connections", defaults.postgres.maximumConnections, scope: "postgres")
        )

        let http = config.scoped(to: "http")
        self.http = HTTPConfig(
            host: http.string(forKey: "host", default: defaults.http.host),
            port: try port(http, defaults.http.port, scope: "http", allowEphemeral: true),
            readinessTimeout: try duration(http, "readiness_timeout", defaults.http.readinessTimeout, scope: "http")
        )

        let engine = config.scoped(to: "engine")
        self.engine = EngineTuning(
            groupId: engine.string(forKey: "group_id", default: defaults.engine.groupId),
            maxBatchSize: try positive(engine, "max_batch_size", defaults.engine.maxBatchSize, scope: "engine"),
            timerTick: try duration(engine, "timer_tick", defaults.engine.timerTick, scope: "engine"),
            timerBatchSize: try positive(engine, "timer_batch_size", defaults.engine.timerBatchSize, scope: "engine"),
            maxEventBytes: try positive(engine, "max_event_bytes", defaults.engine.maxEventBytes, scope: "engine"),
            retryBackoff: try duration(engine, "retry_backoff", defaults.engine.retryBackoff, scope: "engine"),
            sessionTimeout: try duration(engine, "session_timeout", defaults.engine.sessionTimeout, scope: "engine"),
            maxPollInterval: try duration(
                engine, "max_poll_interval", defaults.engine.maxPollInterval, scope: "engine"),
            fetchWait: try duration(engine, "fetch_wait", defaults.engine.fetchWait, scope: "engine"),
            catalogReloadInterval: try duration(
                engine, "catalog_reload_interval", defaults.engine.catalogReloadInterval, scope: "engine"),
            commitInterval: try duration(engine, "commit_interval", defaults.engine.commitInterval, scope: "engine"),
            replanRate: try positive(engine, "replan_rate", defaults.engine.replanRate, scope: "engine"),
            replanPageSize: try positive(engine, "replan_page_size", defaults.engine.replanPageSize, scope: "engine"))

        let api = config.scoped(to: "api")
        let content = config.scoped(to: "content")
        self.api = APIConfig(
            writeKeys: try APIConfig.parseNamedKeys(
                api.stringArray(forKey: "write_keys", isSecret: true, default: []), configKey: "api.write_keys"),
            siteKeys: try APIConfig.parseNamedKeys(
                api.stringArray(forKey: "site_keys", default: []), configKey: "api.site_keys"),
            corsOrigins: api.stringArray(forKey: "cors_origins", default: defaults.api.corsOrigins),
            maxEventBytes: try positive(api, "max_event_bytes", defaults.api.maxEventBytes, scope: "api"),
            maxBatchBytes: try positive(api, "max_batch_bytes", defaults.api.maxBatchBytes, scope: "api"),
            maxBatchEvents: try positive(api, "max_batch_events", defaults.api.maxBatchEvents, scope: "api"),
            maxContentSlots: try positive(content, "max_slots", defaults.api.maxContentSlots, scope: "content"),
            contentDefaults: try content.string(forKey: "defaults").map(APIConfig.parseContentDefaults) ?? [:],
            impressionBufferSize: try positive(
                content, "impression_buffer", defaults.api.impressionBufferSize, scope: "content"),
            keyCacheTTL: try duration(api, "key_cache_ttl", defaults.api.keyCacheTTL, scope: "api"),
            maxScenarioBytes: try positive(api, "max_scenario_bytes", defaults.api.maxScenarioBytes, scope: "api"),
            scenarioLockTTL: try duration(api, "scenario_lock_ttl", defaults.api.scenarioLockTTL, scope: "api"),
            consoleSessionTTL: try duration(api, "console_session_ttl", defaults.api.consoleSessionTTL, scope: "api"),
            consoleSecureCookie: api.bool(forKey: "console_secure_cookie", default: defaults.api.consoleSecureCookie)
        )
        guard self.api.scenarioLockTTL > .zero else {
            throw ConfigError(key: "api.scenario_lock_ttl", message: "must be longer than zero")
        }
        guard self.api.consoleSessionTTL >= .seconds(1) else {
            throw ConfigError(key: "api.console_session_ttl", message: "must be at least 1s")
        }

        self.rulesDirectory = config.string(forKey: "rules.directory", default: defaults.rulesDirectory)
        self.connectorsDirectory = config.string(forKey: "connectors.directory", default: defaults.connectorsDirectory)

        let dispatcher = config.scoped(to: "dispatcher")
        self.dispatcher = DispatcherSettings(
            groupId: dispatcher.string(forKey: "group_id", default: defaults.dispatcher.groupId),
            concurrency: try positive(dispatcher, "concurrency", defaults.dispatcher.concurrency, scope: "dispatcher"),
            maxBatchSize: try positive(
                dispatcher, "max_batch_size", defaults.dispatcher.maxBatchSize, scope: "dispatcher"),
            ledgerRetention: try duration(
                dispatcher, "ledger_retention", defaults.dispatcher.ledgerRetention, scope: "dispatcher"),
            messageLogGroupId: dispatcher.string(
                forKey: "message_log_group_id", default: defaults.dispatcher.messageLogGroupId))

        let tracking = config.scoped(to: "tracking")
        let trackingSecret = tracking.string(forKey: "secret", isSecret: true)
        if let trackingSecret, trackingSecret.count < 16 {
            throw ConfigError(key: "tracking.secret", message: "must be at least 16 characters")
        }
        self.tracking = TrackingSettings(
            baseURL: tracking.string(forKey: "base_url", default: defaults.tracking.baseURL), secret: trackingSecret)
        let timeline = config.scoped(to: "timeline")
        self.timeline = TimelineSettings(
            enabled: timeline.bool(forKey: "enabled", default: defaults.timeline.enabled),
            groupId: timeline.string(forKey: "group_id", default: defaults.timeline.groupId))
        let level = config.string(forKey: "log.level", default: defaults.logLevel.rawValue)
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ConfigError(
                key: "log.level", message: "unknown level \(level); use trace, debug, info, warning, error")
        }
        self.logLevel = logLevel
    }
}

/// A configuration value that is present but unusable.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let key: String
    public let message: String
    public var description: String { "configuration \(key): \(message)" }
}

/// `redis.mode`: `standalone` (the default) or `cluster`.
private func redisMode(_ config: ConfigReader) throws -> RedisConfig.Mode {
    let text = config.string(forKey: "mode", default: RedisConfig.Mode.standalone.rawValue)
    guard let mode = RedisConfig.Mode(rawValue: text) else {
        let accepted = RedisConfig.Mode.allCases.map(\.rawValue).joined(separator: ", ")
        throw ConfigError(key: "redis.mode", message: "expected one of \(accepted), got \(text)")
    }
    return mode
}

/// `redis.nodes`: the cluster's seed nodes as `host:port` (YAML list, or comma separated in
/// `NUDGE_REDIS_NODES`).
private func redisNodes(_ config: ConfigReader) throws -> [RedisEndpoint] {
    try config.stringArray(forKey: "nodes", default: []).map { text in
        guard let endpoint = RedisEndpoint(parsing: text) else {
            throw ConfigError(key: "redis.nodes", message: "expected host:port, got \(text)")
        }
        return endpoint
    }
}

/// A cluster needs seeds and has only database 0.
private func checkCluster(_ config: RedisConfig) throws {
    guard config.mode == .cluster else { return }
    if config.nodes.isEmpty {
        throw ConfigError(key: "redis.nodes", message: "redis.mode cluster needs at least one node (host:port)")
    }
    if config.database != 0 {
        throw ConfigError(key: "redis.database", message: "a Redis Cluster has only database 0, got \(config.database)")
    }
}

/// `allowEphemeral`: 0 asks the system for a free port (a listener's own port, e.g. in tests).
private func port(_ config: ConfigReader, _ fallback: Int, scope: String, allowEphemeral: Bool = false) throws -> Int {
    let value = config.int(forKey: "port", default: fallback)
    guard ((allowEphemeral ? 0 : 1)...65535).contains(value) else {
        throw ConfigError(key: "\(scope).port", message: "\(value) is not a TCP port")
    }
    return value
}

private func positive(_ config: ConfigReader, _ key: String, _ fallback: Int, scope: String) throws -> Int {
    let value = config.int(forKey: ConfigKey(key), default: fallback)
    guard value > 0 else { throw ConfigError(key: "\(scope).\(key)", message: "must be positive, got \(value)") }
    return value
}

private func duration(_ config: ConfigReader, _ key: String, _ fallback: Duration, scope: String) throws -> Duration {
    guard let text = config.string(forKey: ConfigKey(key)) else { return fallback }
    guard let value = DurationText.parse(text) else {
        throw ConfigError(key: "\(scope).\(key)", message: "expected a duration like 500ms, 5s or 2m, got \(text)")
    }
    return value
}

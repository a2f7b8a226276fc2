import API
import Foundation
import NudgeApp
import NudgeKafka
import NudgeTestSupport

/// The configuration of a `nudge serve` under test: the local services of scripts/stack.sh,
/// topics, key prefix and consumer group of its own (`name`), a database of its own, a free port.
func serveProcessConfig(name: String, rules: String, connectors: String) async throws -> NudgeConfig {
    let env = ProcessInfo.processInfo.environment
    var config = NudgeConfig()
    config.kafka = KafkaConfig(
        brokers: (env["NUDGE_KAFKA_BROKERS"] ?? "127.0.0.1:19092").split(separator: ",").map(String.init))
    config.redis.host = env["NUDGE_REDIS_HOST"] ?? "127.0.0.1"
    config.redis.port = env["NUDGE_REDIS_PORT"].flatMap(Int.init) ?? 16379
    config.redisKeyPrefix = name
    config.topics = TopicsConfig(
        events: "\(name).events", deadLetter: "\(name).dead-letter", outbound: "\(name).outbound",
        feedback: "\(name).feedback", partitions: 2)
    config.postgres = try await TestPostgres.createDatabase()
    config.http.port = try FreePort.find()
    config.rulesDirectory = rules
    config.connectorsDirectory = connectors
    config.api = APITestEnvironment.config()
    config.timeline.groupId = "\(name)-timeline"
    config.engine.sessionTimeout = .seconds(6)
    return config
}

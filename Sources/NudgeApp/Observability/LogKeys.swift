/// Log metadata keys used by the app, in one place, with dotted names. Values are identifiers
/// and counts only: no personal data goes into logs.
enum LogKeys {
    static let service = "nudge.service"
    static let configFile = "nudge.config.file"
    static let librdkafkaVersion = "kafka.librdkafka.version"
    static let kafkaBrokers = "kafka.brokers"
    static let kafkaTopic = "kafka.topic"
    static let redisEndpoint = "redis.endpoint"
    static let postgresEndpoint = "postgres.endpoint"
    static let httpAddress = "http.address"
    static let rulesDirectory = "rules.directory"
    static let scenarioCount = "rules.scenarios"
    static let policyFile = "rules.policy"
    static let error = "error"
}

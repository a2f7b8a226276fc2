/// Log metadata keys of the Redis adapter, in one place so dashboards can rely on them.
/// Values are never command arguments: those may hold personal data.
enum RedisLogKeys {
    static let endpoint = "redis.endpoint"
    static let connection = "redis.connection"
    static let command = "redis.command"
    static let pipelineSize = "redis.pipeline.size"
    static let attempt = "redis.attempt"
    static let error = "redis.error"
    static let errorCode = "redis.error.code"
    static let scriptSHA = "redis.script.sha"
}

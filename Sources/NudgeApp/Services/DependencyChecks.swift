import NudgeKafka
import NudgeRedis
import PostgresNIO

/// `/ready` checks, one per dependency: each asks its server something cheap.
struct PostgresCheck: DependencyCheck {
    let client: PostgresClient
    var name: String { "postgres" }
    func check() async throws { _ = try await client.query("SELECT 1") }
}

struct RedisCheck: DependencyCheck {
    let client: RedisClient
    var name: String { "redis" }
    func check() async throws { try await client.ping() }
}

struct KafkaCheck: DependencyCheck {
    let admin: KafkaAdmin
    let topic: String
    var name: String { "kafka" }
    func check() async throws { _ = try await admin.metadata(topic: topic) }
}

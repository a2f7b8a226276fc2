import Engine
import Foundation
import NudgeRedis
import Testing

@testable import NudgeApp

@Suite("Configuration from file and environment")
struct NudgeConfigTests {
    func writeConfig(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaultsWithoutFileOrEnvironment() async throws {
        let config = try await NudgeConfig.load(filePath: nil, environment: [:])
        #expect(config.kafka.brokers == ["127.0.0.1:19092"])
        #expect(config.redis.port == 16379)
        #expect(config.postgres.port == 15432)
        #expect(config.topics.events == "nudge.events")
        #expect(config.http.port == 8080)
    }

    @Test func fileValuesAndEnvironmentOverrides() async throws {
        let path = try writeConfig(
            """
            kafka:
              brokers: ["k1:9092", "k2:9092"]
              properties: ["linger.ms=20"]
            topics:
              events: shop.events
              dead_letter: shop.dlq
              partitions: 12
            redis:
              port: 7000
              command_timeout: 250ms
            postgres:
              host: db.internal
            engine:
              fetch_wait: 5ms
              timer_batch_size: 250
            log:
              level: debug
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try await NudgeConfig.load(
            filePath: path,
            environment: [
                "NUDGE_REDIS_PORT": "7001", "NUDGE_POSTGRES_PASSWORD": "s3cret", "NUDGE_TOPICS_OUTBOUND": "shop.out",
            ]
        )
        #expect(config.kafka.brokers == ["k1:9092", "k2:9092"])
        #expect(config.kafka.properties == ["linger.ms": "20"])
        #expect(config.topics.events == "shop.events")
        #expect(config.topics.deadLetter == "shop.dlq")
        #expect(config.topics.outbound == "shop.out")
        #expect(config.topics.partitions == 12)
        #expect(config.redis.port == 7001)
        #expect(config.redis.commandTimeout == .milliseconds(250))
        #expect(config.postgres.host == "db.internal")
        #expect(config.postgres.password == "s3cret")
        #expect(config.logLevel == .debug)
        // The engine section is the engine's own tuning, passed through whole.
        #expect(config.engine.fetchWait == .milliseconds(5))
        #expect(config.engine.timerBatchSize == 250)
        #expect(config.engine.retryBackoff == .milliseconds(200))
        let engine = EngineConfig(config)
        #expect(engine.fetchWait == .milliseconds(5))
        #expect(engine.topics.outbound == "shop.out")
    }

    @Test func sampleDeployConfigLoads() async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../deploy/nudge.yaml"
        ).path
        let config = try await NudgeConfig.load(filePath: path, environment: [:])
        #expect(config.rulesDirectory == "rules")
        #expect(config.topics.all.count == 4)
        #expect(config.api.maxScenarioBytes == 262_144)
        #expect(config.api.scenarioLockTTL == .seconds(900))
        #expect(config.timeline == TimelineSettings(enabled: true, groupId: "nudge-timeline"))
        #expect(config.dispatcher.messageLogGroupId == "nudge-message-log")
    }

    @Test func adminAPIAndTimelineSettings() async throws {
        let defaults = try await NudgeConfig.load(filePath: nil, environment: [:])
        #expect(defaults.api.maxScenarioBytes == 256 * 1024)
        #expect(defaults.api.scenarioLockTTL == .seconds(15 * 60))
        #expect(defaults.timeline.enabled)
        let path = try writeConfig(
            """
            api:
              max_scenario_bytes: 65536
              scenario_lock_ttl: 2m
            timeline:
              enabled: false
              group_id: shop-timeline
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try await NudgeConfig.load(filePath: path, environment: ["NUDGE_API_SCENARIO_LOCK_TTL": "30s"])
        #expect(config.api.maxScenarioBytes == 65536)
        #expect(config.api.scenarioLockTTL == .seconds(30))
        #expect(config.timeline == TimelineSettings(enabled: false, groupId: "shop-timeline"))
        let fromEnvironment = try await NudgeConfig.load(
            filePath: nil, environment: ["NUDGE_TIMELINE_ENABLED": "false"])
        #expect(!fromEnvironment.timeline.enabled)

        await #expect {
            try await NudgeConfig.load(filePath: nil, environment: ["NUDGE_API_MAX_SCENARIO_BYTES": "0"])
        } throws: { ($0 as? ConfigError)?.key == "api.max_scenario_bytes" }
        await #expect {
            try await NudgeConfig.load(filePath: nil, environment: ["NUDGE_API_SCENARIO_LOCK_TTL": "forever"])
        } throws: { ($0 as? ConfigError)?.key == "api.scenario_lock_ttl" }
        await #expect {
            try await NudgeConfig.load(filePath: nil, environment: ["NUDGE_API_SCENARIO_LOCK_TTL": "0s"])
        } throws: { ($0 as? ConfigError)?.key == "api.scenario_lock_ttl" }
    }

    @Test func runIncludesServeAndTimeline() {
        #expect(NudgeApplication.Components.all.contains([.postgres, .engine, .dispatcher, .serve, .timeline]))
    }

    @Test func unusableValuesAreRejectedWithTheKey() async throws {
        await #expect {
            try await NudgeConfig.load(filePath: nil, environment: ["NUDGE_REDIS_PORT": "70000"])
        } throws: { ($0 as? ConfigError)?.key == "redis.port" }
        await #expect {
            try await NudgeConfig.load(filePath: nil, environment: ["NUDGE_REDIS_COMMAND_TIMEOUT": "soon"])
        } throws: { ($0 as? ConfigError)?.key == "redis.command_timeout" }
        await #expect {
            try await NudgeConfig.load(filePath: nil, environment: ["NUDGE_LOG_LEVEL": "loud"])
        } throws: { ($0 as? ConfigError)?.key == "log.level" }
        await #expect {
            try await NudgeConfig.load(filePath: "/nonexistent/nudge.yaml", environment: [:])
        } throws: { $0 is ConfigError }
    }

    @Test func redisModeStandaloneByDefaultClusterWithSeeds() async throws {
        let defaults = try await NudgeConfig.load(filePath: nil, environment: [:])
        #expect(defaults.redis.mode == .standalone)
        #expect(defaults.redis.nodes.isEmpty)

        let path = try writeConfig(
            """
            redis:
              mode: cluster
              nodes: ["redis-0.redis:6379", "redis-1.redis:6379"]
            """)
        let file = try await NudgeConfig.load(filePath: path, environment: [:])
        #expect(file.redis.mode == .cluster)
        #expect(
            file.redis.nodes == [
                RedisEndpoint(host: "redis-0.redis", port: 6379), RedisEndpoint(host: "redis-1.redis", port: 6379),
            ])
        let environment = try await NudgeConfig.load(
            filePath: nil,
            environment: ["NUDGE_REDIS_MODE": "cluster", "NUDGE_REDIS_NODES": "10.0.0.1:7000,10.0.0.2:7001"])
        #expect(environment.redis.nodes.map(\.description) == ["10.0.0.1:7000", "10.0.0.2:7001"])

        await #expect {
            try await NudgeConfig.load(filePath: nil, environment: ["NUDGE_REDIS_MODE": "sentinel"])
        } throws: { ($0 as? ConfigError)?.key == "redis.mode" }
        await #expect {
            try await NudgeConfig.load(filePath: nil, environment: ["NUDGE_REDIS_MODE": "cluster"])
        } throws: { ($0 as? ConfigError)?.key == "redis.nodes" }
        await #expect {
            try await NudgeConfig.load(
                filePath: nil, environment: ["NUDGE_REDIS_MODE": "cluster", "NUDGE_REDIS_NODES": "no-port"])
        } throws: { ($0 as? ConfigError)?.key == "redis.nodes" }
        await #expect {
            try await NudgeConfig.load(
                filePath: nil,
                environment: ["NUDGE_REDIS_MODE": "cluster", "NUDGE_REDIS_NODES": "a:1", "NUDGE_REDIS_DATABASE": "2"])
        } throws: { ($0 as? ConfigError)?.key == "redis.database" }
    }

    @Test func durationText() {
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("5s") == .seconds(5))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1h") == .seconds(3600))
        #expect(DurationText.parse("5") == nil)
        #expect(DurationText.parse("s") == nil)
    }
}

import EngineCore
import Foundation
import Logging
import NudgeKafka
import NudgePostgres
import NudgeRedis
import NudgeTestSupport
import Testing

@testable import NudgeApp

/// Real local services (scripts/stack.sh) with topics, a consumer group and a rules folder of
/// the test's own, so suites do not see each other's data. `redis: .cluster` puts the engine on
/// the local Redis Cluster (`TestRedisCluster`, started when it is not up) instead of the single Redis.
struct EngineTestEnvironment: Sendable {
    let name: String
    var config: NudgeConfig
    let rulesDirectory: URL
    let logger: Logger

    static let partitions = 4

    /// `scenarios`: file name -> YAML.
    init(_ label: String, scenarios: [String: String], redis mode: RedisConfig.Mode = .standalone) async throws {
        let env = ProcessInfo.processInfo.environment
        name = "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        rulesDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-rules-\(name)")
        try FileManager.default.createDirectory(at: rulesDirectory, withIntermediateDirectories: true)
        for (file, yaml) in scenarios {
            try yaml.write(to: rulesDirectory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        var config = NudgeConfig()
        config.kafka = KafkaConfig(
            brokers: (env["NUDGE_KAFKA_BROKERS"] ?? "127.0.0.1:19092").split(separator: ",").map(String.init))
        config.redis.host = env["NUDGE_REDIS_HOST"] ?? "127.0.0.1"
        config.redis.port = env["NUDGE_REDIS_PORT"].flatMap(Int.init) ?? 16379
        if mode == .cluster {
            try TestRedisCluster.start()
            config.redis.mode = .cluster
            config.redis.nodes = TestRedisCluster.nodes
        }
        config.redisKeyPrefix = name
        config.topics = TopicsConfig(
            events: "\(name).events", deadLetter: "\(name).dead-letter", outbound: "\(name).outbound",
            feedback: "\(name).feedback", partitions: Self.partitions)
        config.engine.groupId = "\(name)-engine"
        // Consumer groups of the test's own: a group shared with other runs on the same broker
        // waits for their members at every rebalance.
        config.dispatcher.groupId = "\(name)-dispatcher"
        config.dispatcher.messageLogGroupId = "\(name)-message-log"
        config.timeline.groupId = "\(name)-timeline"
        config.engine.sessionTimeout = .seconds(6)
        config.engine.maxPollInterval = .seconds(10)
        config.http.port = 0
        config.rulesDirectory = rulesDirectory.path
        config.logLevel = .warning
        self.config = config
        var logger = Logger(label: "nudge.tests.engine")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// A fresh PostgreSQL database for this environment (migrated by the app at start); drop it
    /// with `TestPostgres.drop`.
    mutating func useFreshDatabase() async throws -> PostgresConfig {
        config.postgres = try await TestPostgres.createDatabase()
        return config.postgres
    }

    /// The environment variables that point a `nudge engine` child process at this setup.
    var childEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["NUDGE_KAFKA_BROKERS"] = config.kafka.brokers.joined(separator: ",")
        env["NUDGE_REDIS_HOST"] = config.redis.host
        env["NUDGE_REDIS_PORT"] = String(config.redis.port)
        env["NUDGE_REDIS_MODE"] = config.redis.mode.rawValue
        if config.redis.mode == .cluster {
            env["NUDGE_REDIS_NODES"] = config.redis.nodes.map(\.description).joined(separator: ",")
        }
        env["NUDGE_REDIS_KEY_PREFIX"] = config.redisKeyPrefix
        env["NUDGE_TOPICS_EVENTS"] = config.topics.events
        env["NUDGE_TOPICS_DEAD_LETTER"] = config.topics.deadLetter
        env["NUDGE_TOPICS_OUTBOUND"] = config.topics.outbound
        env["NUDGE_TOPICS_FEEDBACK"] = config.topics.feedback
        env["NUDGE_TOPICS_PARTITIONS"] = String(config.topics.partitions)
        env["NUDGE_ENGINE_GROUP_ID"] = config.engine.groupId
        env["NUDGE_DISPATCHER_GROUP_ID"] = config.dispatcher.groupId
        env["NUDGE_DISPATCHER_MESSAGE_LOG_GROUP_ID"] = config.dispatcher.messageLogGroupId
        env["NUDGE_TIMELINE_GROUP_ID"] = config.timeline.groupId
        env["NUDGE_ENGINE_SESSION_TIMEOUT"] = "6s"
        env["NUDGE_ENGINE_MAX_POLL_INTERVAL"] = "10s"
        env["NUDGE_HTTP_PORT"] = "0"
        env["NUDGE_RULES_DIRECTORY"] = rulesDirectory.path
        env["NUDGE_LOG_LEVEL"] = "info"
        return env
    }

    /// `childEnvironment` for child processes that also dispatch: the connectors in `connectors`,
    /// PostgreSQL at `database` (a fresh one from `useFreshDatabase`) and a tracking secret.
    func dispatchingChildEnvironment(
        connectors: URL, database: PostgresConfig, trackingSecret: String
    ) -> [String: String] {
        var env = childEnvironment
        env["NUDGE_CONNECTORS_DIRECTORY"] = connectors.path
        env["NUDGE_POSTGRES_HOST"] = database.host
        env["NUDGE_POSTGRES_PORT"] = String(database.port)
        env["NUDGE_POSTGRES_USER"] = database.username
        env["NUDGE_POSTGRES_DATABASE"] = database.database
        if let password = database.password { env["NUDGE_POSTGRES_PASSWORD"] = password }
        env["NUDGE_TRACKING_SECRET"] = trackingSecret
        return env
    }

    /// A connectors folder with one SMTP email connector sending to 127.0.0.1:`port`.
    static func smtpConnectorsDirectory(port: Int) throws -> URL {
        try connectorsDirectory([
            "email.yaml": """
            type: smtp
            channel: email
            recipient: profile.email
            smtp:
              host: 127.0.0.1
              port: \(port)
              from: "Nudge <noreply@nudge.test>"
              message_id_domain: nudge.test
            """
        ])
    }

    /// A connectors folder with these files (name -> YAML) and the repository's own templates.
    static func connectorsDirectory(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nudge-connectors-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.createSymbolicLink(
            at: directory.appendingPathComponent("templates"),
            withDestinationURL: repository.appendingPathComponent("connectors/templates"))
        for (name, yaml) in files {
            try yaml.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    func createTopics() async throws {
        let admin = try KafkaAdmin(config: config.kafka, logger: logger)
        try await admin.createTopics(
            config.topics.all.map { KafkaTopicSpec(name: $0, partitions: Int32(config.topics.partitions)) })
        await admin.shutdown()
    }

    /// Runs the engine in this process until `body` returns.
    func withEngine<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let app = try await NudgeApplication.build(config: config, components: [.engine], logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    func producer() throws -> KafkaProducer {
        try KafkaProducer(config: KafkaProducerConfig(client: config.kafka), logger: logger)
    }

    /// Produces Segment events keyed by customer, in order.
    func send(_ events: [SegmentEvent], with producer: KafkaProducer) async throws {
        _ = try await producer.send(
            events.map {
                KafkaOutgoingMessage(topic: config.topics.events, key: Array($0.customerId.utf8), value: $0.json)
            })
    }

    /// Produces to one partition whatever the key says (as a producer with another partitioner would).
    func send(_ events: [SegmentEvent], partition: Int32, with producer: KafkaProducer) async throws {
        _ = try await producer.send(
            events.map {
                KafkaOutgoingMessage(
                    topic: config.topics.events, key: Array($0.customerId.utf8), value: $0.json, partition: partition)
            })
    }

    func sendRaw(_ values: [(key: String, value: String)], with producer: KafkaProducer) async throws {
        _ = try await producer.send(
            values.map {
                KafkaOutgoingMessage(topic: config.topics.events, key: Array($0.key.utf8), value: Array($0.value.utf8))
            })
    }

    /// Every record on `topic` so far, from all partitions.
    func readAll(_ topic: String) async throws -> [KafkaMessage] {
        let reader = try KafkaPartitionReader(config: config.kafka, logger: logger)
        var messages: [KafkaMessage] = []
        for partition in 0..<Int32(config.topics.partitions) {
            messages += try await reader.readAll(topic: topic, partition: partition, from: 0)
        }
        await reader.close()
        return messages
    }

    func outboundMessages() async throws -> [[String: Value]] {
        try await readAll(config.topics.outbound).map { message in
            guard case .object(let object) = try JSONDecoder().decode(Value.self, from: Data(message.value)) else {
                throw TestFailure("outbound record is not a JSON object")
            }
            return object
        }
    }

    /// Waits until `condition` holds on the outbound messages, or fails after `timeout`.
    @discardableResult
    func waitForOutbound(
        timeout: Duration, _ condition: ([[String: Value]]) -> Bool
    ) async throws -> [[String: Value]] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let messages = try await outboundMessages()
            if condition(messages) { return messages }
            if ContinuousClock.now > deadline { return messages }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    func slots(_ customerId: String) async throws -> [String: Value] {
        let reply = try await redis().send("HGETALL", "\(config.redisKeyPrefix):slots:{\(customerId)}")
        var slots: [String: Value] = [:]
        let items = reply.array ?? []
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            slots[items[index].string ?? ""] = try JSONDecoder().decode(
                Value.self, from: Data(items[index + 1].bytes ?? []))
        }
        return slots
    }

    func redis() -> RedisClient { RedisClient(config: config.redis, logger: logger) }

    /// The stored state of a customer, if any.
    func customerState(_ id: String) async throws -> CustomerState? {
        let reply = try await redis().send("HGET", "\(config.redisKeyPrefix):cust:{\(id)}", "s")
        guard let bytes = reply.bytes else { return nil }
        return try JSONDecoder().decode(CustomerState.self, from: Data(bytes))
    }
}

/// A Segment-spec event for tests.
struct SegmentEvent: Sendable {
    var type = "track"
    var event: String
    var customerId: String
    var messageId = UUID().uuidString
    var properties: [String: Value] = [:]
    var traits: [String: Value] = [:]
    var anonymousId: String?
    /// Sent without a userId: `customerId` is then the anonymous id (and the key).
    var anonymous = false
    var timestamp = Date()

    var json: [UInt8] {
        var object: [String: Value] = [
            "type": .string(type), "messageId": .string(messageId),
            "timestamp": .string(
                ISO8601.format(Timestamp(milliseconds: Int64(timestamp.timeIntervalSince1970 * 1000)))),
            "properties": .object(properties), "traits": .object(traits),
        ]
        if type == "track" { object["event"] = .string(event) }
        if anonymous {
            object["anonymousId"] = .string(customerId)
        } else {
            object["userId"] = .string(customerId)
            if let anonymousId { object["anonymousId"] = .string(anonymousId) }
        }
        return Array((try? JSONEncoder().encode(Value.object(object))) ?? Data())
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension [String: Value] {
    subscript(text key: String) -> String? { self[key]?.stringValue }
}

/// Connection settings shared by producer, consumer and admin.
public struct KafkaConfig: Sendable {
    /// Bootstrap brokers, `host:port` each.
    public var brokers: [String]
    public var clientId: String
    /// Extra librdkafka properties (https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md),
    /// applied after the typed settings, so they win over them; the invariants the adapter relies on
    /// (idempotence, manual commits) are applied last and cannot be overridden.
    public var properties: [String: String]

    public init(brokers: [String], clientId: String = "nudge", properties: [String: String] = [:]) {
        self.brokers = brokers
        self.clientId = clientId
        self.properties = properties
    }
}

/// Producer settings. The producer is always idempotent with `acks=all`.
public struct KafkaProducerConfig: Sendable {
    public var client: KafkaConfig
    /// How long librdkafka keeps trying to deliver a message before its send fails (`message.timeout.ms`).
    public var messageTimeout: Duration
    /// How long messages wait to fill a batch (`linger.ms`).
    public var linger: Duration
    /// Flush timeout used by `shutdown()`.
    public var shutdownFlushTimeout: Duration

    public init(
        client: KafkaConfig,
        messageTimeout: Duration = .seconds(30),
        linger: Duration = .milliseconds(5),
        shutdownFlushTimeout: Duration = .seconds(10)
    ) {
        self.client = client
        self.messageTimeout = messageTimeout
        self.linger = linger
        self.shutdownFlushTimeout = shutdownFlushTimeout
    }
}

/// Where a consumer group starts on a partition that has no committed offset.
public enum KafkaOffsetReset: String, Sendable {
    case earliest, latest
}

/// How a group hands partitions over: eager revokes everything on each rebalance, cooperative-sticky
/// revokes only the partitions that move.
public enum KafkaRebalanceStrategy: String, Sendable {
    case eager = "range,roundrobin"
    case cooperativeSticky = "cooperative-sticky"
}

/// Consumer group settings. Offsets are only committed explicitly (`KafkaConsumer.commit`).
public struct KafkaConsumerConfig: Sendable {
    public var client: KafkaConfig
    public var groupId: String
    public var topics: [String]
    public var offsetReset: KafkaOffsetReset
    public var rebalanceStrategy: KafkaRebalanceStrategy
    /// Most messages in one `.messages` event.
    public var maxBatchSize: Int
    /// How long one poll waits for a first message before asking again.
    public var pollTimeout: Duration
    /// The group evicts a member that does not ask for the next batch within this (`max.poll.interval.ms`).
    public var maxPollInterval: Duration
    /// The group evicts a member whose heartbeats stop for this long (`session.timeout.ms`).
    public var sessionTimeout: Duration
    /// How long a revoke waits for `KafkaRevocation.acknowledge()` before the partitions are released anyway.
    /// The poll thread is blocked meanwhile, so keep it well below `maxPollInterval`.
    public var revocationTimeout: Duration
    /// Bound on prefetched messages per consumer, in KiB (`queued.max.messages.kbytes`).
    public var maxPrefetchKilobytes: Int

    public init(
        client: KafkaConfig,
        groupId: String,
        topics: [String],
        offsetReset: KafkaOffsetReset = .earliest,
        rebalanceStrategy: KafkaRebalanceStrategy = .cooperativeSticky,
        maxBatchSize: Int = 500,
        pollTimeout: Duration = .milliseconds(100),
        maxPollInterval: Duration = .seconds(300),
        sessionTimeout: Duration = .seconds(45),
        revocationTimeout: Duration = .seconds(30),
        maxPrefetchKilobytes: Int = 16_384
    ) {
        self.client = client
        self.groupId = groupId
        self.topics = topics
        self.offsetReset = offsetReset
        self.rebalanceStrategy = rebalanceStrategy
        self.maxBatchSize = maxBatchSize
        self.pollTimeout = pollTimeout
        self.maxPollInterval = maxPollInterval
        self.sessionTimeout = sessionTimeout
        self.revocationTimeout = revocationTimeout
        self.maxPrefetchKilobytes = maxPrefetchKilobytes
    }
}

/// A topic to create.
public struct KafkaTopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int32
    /// Topic configs, e.g. `retention.ms`.
    public var config: [String: String]

    public init(name: String, partitions: Int32, replicationFactor: Int32 = 1, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}

extension Duration {
    /// Whole milliseconds, clamped to what librdkafka's `int` timeouts accept.
    var kafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }
}

/// How the engine runtime consumes and processes.
public struct EngineConfig: Sendable {
    public var groupId: String
    public var topics: EngineTopics
    /// First part of every Redis key (`RedisKeys`): deployments sharing a Redis use different ones.
    public var keyPrefix: String
    /// Largest Kafka batch handed to the partitions at once.
    public var maxBatchSize: Int
    /// How often each partition looks for due timers.
    public var timerTick: Duration
    /// Most due timers fired in one pipeline batch.
    public var timerBatchSize: Int
    /// Records larger than this go to the dead-letter topic.
    public var maxEventBytes: Int
    /// Pause between retries of a batch that failed (Redis or Kafka unavailable); doubles up to 5 s.
    public var retryBackoff: Duration
    /// Group membership timing; tests lower these so rebalances are quick.
    public var sessionTimeout: Duration
    public var maxPollInterval: Duration
    /// Longest the broker holds a fetch waiting for data (`fetch.wait.max.ms`).
    public var fetchWait: Duration

    public init(
        groupId: String = "nudge-engine",
        topics: EngineTopics,
        keyPrefix: String = "nudge",
        maxBatchSize: Int = 2_000,
        timerTick: Duration = .milliseconds(100),
        timerBatchSize: Int = 1_000,
        maxEventBytes: Int = 32 * 1024,
        retryBackoff: Duration = .milliseconds(200),
        sessionTimeout: Duration = .seconds(10),
        maxPollInterval: Duration = .seconds(60),
        fetchWait: Duration = .milliseconds(10)
    ) {
        self.groupId = groupId
        self.topics = topics
        self.keyPrefix = keyPrefix
        self.maxBatchSize = maxBatchSize
        self.timerTick = timerTick
        self.timerBatchSize = timerBatchSize
        self.maxEventBytes = maxEventBytes
        self.retryBackoff = retryBackoff
        self.sessionTimeout = sessionTimeout
        self.maxPollInterval = maxPollInterval
        self.fetchWait = fetchWait
    }
}

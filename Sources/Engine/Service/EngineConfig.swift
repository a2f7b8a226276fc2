/// What an engine process needs: where its topics and Redis keys are, and how it is tuned.
/// Tuning fields read straight through (`config.maxBatchSize`).
@dynamicMemberLookup
public struct EngineConfig: Sendable {
    public var topics: EngineTopics
    /// First part of every Redis key (`RedisKeys`): deployments sharing a Redis use different ones.
    public var keyPrefix: String
    /// Partitions of the events topic (`topics.partitions`): the replan finds the partition that
    /// owns a customer by hashing its id as the producers' partitioner does.
    public var partitions: Int
    public var tuning: EngineTuning

    public init(
        topics: EngineTopics, keyPrefix: String = "nudge", partitions: Int = 8, tuning: EngineTuning = EngineTuning()
    ) {
        self.topics = topics
        self.keyPrefix = keyPrefix
        self.partitions = max(1, partitions)
        self.tuning = tuning
    }

    public subscript<T>(dynamicMember keyPath: KeyPath<EngineTuning, T>) -> T { tuning[keyPath: keyPath] }
}

/// The engine's knobs, as the configuration file's `engine:` section sets them.
public struct EngineTuning: Sendable, Equatable {
    /// The consumer group engine processes share.
    public var groupId: String
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
    /// Longest the broker holds a fetch waiting for data (`fetch.wait.max.ms`). 5 ms, not 10: in
    /// the load test (20261207T024105Z and the run before it) an event's p99 to its outbound
    /// message at 1k ev/s was 181 and 130 ms with 5 ms against 361 and 417 ms with 10 ms; an idle
    /// engine makes one empty fetch per 5 ms per broker.
    public var fetchWait: Duration
    /// How often a process running the engine checks PostgreSQL for a newly deployed catalog.
    public var catalogReloadInterval: Duration
    /// How often offsets of finished batches are committed (a crash replays at most this much,
    /// which the applied offsets skip).
    public var commitInterval: Duration
    /// Customer keys each partition looks at per second while replanning existing customers
    /// after a deploy that changed date or absence triggers (a page of `replanPageSize` keys,
    /// then a pause). Every partition scans every customer key and replans the ones it owns, so
    /// Redis sees `partitions x replanRate` keys scanned a second and the customers' commits.
    public var replanRate: Int
    /// Keys asked for per SCAN page of the replan (Redis's COUNT hint).
    public var replanPageSize: Int

    public init(
        groupId: String = "nudge-engine",
        maxBatchSize: Int = 2_000,
        timerTick: Duration = .milliseconds(100),
        timerBatchSize: Int = 1_000,
        maxEventBytes: Int = 32 * 1024,
        retryBackoff: Duration = .milliseconds(200),
        sessionTimeout: Duration = .seconds(10),
        maxPollInterval: Duration = .seconds(60),
        fetchWait: Duration = .milliseconds(5),
        catalogReloadInterval: Duration = .seconds(1),
        commitInterval: Duration = .milliseconds(100),
        replanRate: Int = 5_000,
        replanPageSize: Int = 500
    ) {
        self.groupId = groupId
        self.maxBatchSize = maxBatchSize
        self.timerTick = timerTick
        self.timerBatchSize = timerBatchSize
        self.maxEventBytes = maxEventBytes
        self.retryBackoff = retryBackoff
        self.sessionTimeout = sessionTimeout
        self.maxPollInterval = maxPollInterval
        self.fetchWait = fetchWait
        self.catalogReloadInterval = catalogReloadInterval
        self.commitInterval = commitInterval
        self.replanRate = max(1, replanRate)
        self.replanPageSize = max(1, replanPageSize)
    }

    /// The pause after each replan page that keeps a partition at `replanRate` keys a second.
    public var replanPause: Duration { .milliseconds(max(1, replanPageSize * 1000 / replanRate)) }
}

import Engine

extension EngineConfig {
    init(_ config: NudgeConfig) {
        self.init(
            topics: EngineTopics(
                events: config.topics.events, outbound: config.topics.outbound, deadLetter: config.topics.deadLetter,
                feedback: config.topics.feedback),
            keyPrefix: config.redisKeyPrefix, partitions: config.topics.partitions, tuning: config.engine)
    }
}

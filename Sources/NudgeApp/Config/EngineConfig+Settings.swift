import Engine

extension EngineConfig {
    init(_ config: NudgeConfig) {
        self.init(
            groupId: config.engine.groupId,
            topics: EngineTopics(
                events: config.topics.events, outbound: config.topics.outbound, deadLetter: config.topics.deadLetter,
                feedback: config.topics.feedback),
            keyPrefix: config.redisKeyPrefix,
            maxBatchSize: config.engine.maxBatchSize,
            timerTick: config.engine.timerTick,
            maxEventBytes: config.engine.maxEventBytes,
            sessionTimeout: config.engine.sessionTimeout,
            maxPollInterval: config.engine.maxPollInterval
        )
    }
}

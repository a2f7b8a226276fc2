import Feedback
import Logging
import NudgeKafka
import NudgeRedis

/// Makes the connector a configuration describes.
public struct ConnectorFactory: Sendable {
    let producer: KafkaProducer
    let redis: RedisClient
    let keyPrefix: String
    let links: TrackingLinks?
    let logger: Logger

    public init(producer: KafkaProducer, redis: RedisClient, keyPrefix: String, links: TrackingLinks?, logger: Logger) {
        self.producer = producer
        self.redis = redis
        self.keyPrefix = keyPrefix
        self.links = links
        self.logger = logger
    }

    public func make(_ config: ConnectorConfig) throws -> any MessageConnector {
        switch config.kind {
        case .smtp(let settings):
            return try SMTPConnector(name: config.name, settings: settings, timeout: config.timeout, links: links, logger: logger)
        case .http(let settings):
            return try HTTPConnector(name: config.name, settings: settings, timeout: config.timeout)
        case .kafka(let settings):
            return KafkaHandOffConnector(name: config.name, settings: settings, producer: producer)
        case .onsite(let settings):
            return OnsiteConnector(name: config.name, settings: settings, redis: redis, keyPrefix: keyPrefix)
        }
    }
}

import API
import Dispatcher
import Engine
import EngineCore
import SharedStores
import Feedback
import Foundation
import Logging
import MessageTemplates
import NudgeKafka
import NudgeRedis
import PostgresNIO

/// Builds the dispatcher side of a process from the configuration: connectors and templates
/// (checked against the scenarios at start, so a missing template or connector stops the process
/// with a clear error instead of failing messages later), the dispatch service, and what the
/// feedback endpoints need.
struct DispatcherAssembly {
    let connectors: [ConnectorConfig]
    let templates: TemplateCatalog
    let links: TrackingLinks?

    /// Why the dispatcher cannot start: every problem found, with where it is.
    struct Problems: Error, CustomStringConvertible {
        var lines: [String]
        var description: String { "the dispatcher cannot start:\n" + lines.joined(separator: "\n") }
    }

    /// `dispatching`: this process sends (templates are loaded and every send step of the
    /// catalog checked); otherwise only the connectors are read (the API takes their callbacks).
    static func load(config: NudgeConfig, catalog: ScenarioCatalog, dispatching: Bool) throws -> DispatcherAssembly {
        let connectors: [ConnectorConfig]
        do {
            connectors = try ConnectorConfigLoader().load(directory: config.connectorsDirectory)
        } catch {
            throw Problems(lines: error.errors.map(\.description))
        }
        let links = config.tracking.secret.map {
            TrackingLinks(baseURL: config.tracking.baseURL, signer: TrackingTokenSigner(secret: $0))
        }
        guard dispatching else {
            return DispatcherAssembly(connectors: connectors, templates: TemplateCatalog([]), links: links)
        }
        let templateDirectory = (config.connectorsDirectory as NSString).appendingPathComponent("templates")
        let templates: TemplateCatalog
        do {
            templates = try TemplateCatalog.load(directory: templateDirectory)
        } catch {
            throw Problems(lines: ["\(error)"])
        }
        var problems: [String] = []
        if links == nil {
            for connector in connectors {
                guard case .smtp(let settings) = connector.kind, settings.bounceMaildir != nil else { continue }
                problems.append(
                    "connector \(connector.name): bounce_maildir needs tracking.secret, which signs the bounce token "
                        + "that tells a real bounce report from a forged one")
            }
        }
        let channels = Set(connectors.filter { !$0.fallbackOnly }.map(\.channel))
        for (scenario, step, channel, template) in catalog.sends {
            if template.isEmpty { continue }
            if !channels.contains(channel) {
                problems.append("\(scenario) step \(step): no connector delivers channel \(channel)")
            }
            if templates.template(named: template, channel: channel) == nil {
                problems.append(
                    "\(scenario) step \(step): template \(template) has no \(channel) version in \(templateDirectory)")
            }
        }
        guard problems.isEmpty else { throw Problems(lines: Array(Set(problems)).sorted()) }
        return DispatcherAssembly(connectors: connectors, templates: templates, links: links)
    }

    func ledger(config: NudgeConfig, redis: RedisClient) -> DispatchLedger {
        DispatchLedger(redis: redis, keyPrefix: config.redisKeyPrefix, retention: config.dispatcher.ledgerRetention)
    }

    func dispatchService(
        config: NudgeConfig, producer: KafkaProducer, redis: RedisClient, postgres: PostgresClient, logger: Logger
    ) throws -> DispatchService {
        let limiter = ProviderRateLimiter(redis: redis, keyPrefix: config.redisKeyPrefix)
        let factory = ConnectorFactory(
            producer: producer, redis: redis, keyPrefix: config.redisKeyPrefix, links: links, logger: logger)
        let routes = try Dictionary(
            connectors.map { ($0.name, ConnectorRoute(config: $0, connector: try factory.make($0))) },
            uniquingKeysWith: { first, _ in first })
        var chains: [String: ConnectorChain] = [:]
        for primary in connectors where !primary.fallbackOnly {
            var chain: [ConnectorRoute] = []
            var next: String? = primary.name
            while let name = next, let route = routes[name], !chain.contains(where: { $0.config.name == name }) {
                chain.append(route)
                next = route.config.fallback
            }
            chains[primary.channel] = ConnectorChain(routes: chain, rateLimiter: limiter, logger: logger)
        }
        let dispatcher = MessageDispatcher(
            renderer: MessageRenderer(templates: templates, links: links), chains: chains,
            ledger: ledger(config: config, redis: redis),
            feedback: FeedbackPublisher(
                ledger: ledger(config: config, redis: redis), producer: producer, topic: config.topics.feedback,
                logger: logger),
            logger: logger)
        return DispatchService(
            config: DispatchServiceConfig(
                groupId: config.dispatcher.groupId, outboundTopic: config.topics.outbound,
                concurrency: config.dispatcher.concurrency, maxBatchSize: config.dispatcher.maxBatchSize,
                sessionTimeout: config.engine.sessionTimeout),
            kafka: config.kafka, dispatcher: dispatcher,
            messageLog: PostgresMessageLog(client: postgres, logger: logger),
            logger: logger)
    }

    /// A reader for each SMTP connector whose return address is delivered to a Maildir.
    func bounceMailboxes(config: NudgeConfig, producer: KafkaProducer, redis: RedisClient, logger: Logger)
        -> [BounceMailboxService]
    {
        connectors.compactMap { connector in
            guard case .smtp(let settings) = connector.kind, let maildir = settings.bounceMaildir, let links else {
                return nil
            }
            return BounceMailboxService(
                maildir: maildir, connector: connector.name,
                publisher: FeedbackPublisher(
                    ledger: ledger(config: config, redis: redis), producer: producer, topic: config.topics.feedback,
                    logger: logger),
                signer: links.signer, logger: logger)
        }
    }

    func feedback(config: NudgeConfig, producer: KafkaProducer, redis: RedisClient, logger: Logger)
        -> FeedbackDependencies?
    {
        guard let links else { return nil }
        let callbacks = Dictionary(
            connectors.compactMap { connector in connector.callback.map { (connector.name, $0) } },
            uniquingKeysWith: { first, _ in first })
        return FeedbackDependencies(
            callbacks: callbacks, signer: links.signer,
            publisher: FeedbackPublisher(
                ledger: ledger(config: config, redis: redis), producer: producer, topic: config.topics.feedback,
                logger: logger))
    }
}

extension ScenarioCatalog {
    /// Every send step of every scenario version: what the dispatcher must be able to deliver.
    var sends: [(scenario: String, step: String, channel: String, template: String)] {
        all.flatMap { scenario in
            scenario.steps.values.compactMap { step -> (String, String, String, String)? in
                guard case .send(let spec, _) = step.kind else { return nil }
                return (scenario.id, step.id, spec.channel, spec.template)
            }
        }
    }
}

import Logging
import Synchronization

/// What the cluster says about a topic.
public struct KafkaTopicMetadata: Sendable, Hashable {
    public var name: String
    public var partitionCount: Int

    public init(name: String, partitionCount: Int) {
        self.name = name
        self.partitionCount = partitionCount
    }
}

/// Topic administration over the plain Kafka protocol (CreateTopics, Metadata). Its own handle with a
/// poll thread for logs; requests block on the handle's blocking queue, never on the cooperative pool.
public final class KafkaAdmin: Sendable {
    private enum State {
        case running(RDKafkaClient, RDKafkaPollThread)
        case closed
    }

    private let state: Mutex<State>

    public init(config: KafkaConfig, logger: Logger) throws {
        var logger = logger
        logger[metadataKey: KafkaLogKeys.clientId] = "\(config.clientId)"
        let client = try RDKafkaClient.make(
            kind: .producer,
            properties: RDKafkaConfig.common(config) + config.properties.sorted { $0.key < $1.key },
            context: RDKafkaCallbackContext(logger: logger),
            logger: logger
        )
        state = Mutex(.running(client, RDKafkaPollThread(client: client, name: "nudge.kafka.admin.poll")))
    }

    deinit {
        if case .running(_, let pollThread) = state.withLock({ $0 }) { pollThread.requestStop() }
    }

    /// Creates the topics that do not exist yet (an existing topic is left as it is, even if its
    /// partition count differs: check with `metadata(topic:)`).
    public func createTopics(_ topics: [KafkaTopicSpec], timeout: Duration = .seconds(30)) async throws {
        try await runningClient().runBlocking { try $0.createTopics(topics, timeout: timeout) }
    }

    /// The topic's partition count; throws `.topicNotFound` if it does not exist.
    public func metadata(topic: String, timeout: Duration = .seconds(10)) async throws -> KafkaTopicMetadata {
        let count = try await runningClient().runBlocking { try $0.partitionCount(topic: topic, timeout: timeout) }
        return KafkaTopicMetadata(name: topic, partitionCount: count)
    }

    /// Stops the poll thread, which then destroys the handle.
    public func shutdown() async {
        let pollThread: RDKafkaPollThread? = state.withLock { state in
            defer { state = .closed }
            guard case .running(_, let pollThread) = state else { return nil }
            return pollThread
        }
        await pollThread?.stop()
    }

    private func runningClient() throws -> RDKafkaClient {
        guard case .running(let client, _) = state.withLock({ $0 }) else {
            throw KafkaError(code: .closed, message: "admin client is shut down")
        }
        return client
    }
}

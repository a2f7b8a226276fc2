/// An error from the Kafka adapter: what failed (`code`), a message with its context (topic, partition,
/// librdkafka error name) and where it was raised.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What failed. Extensible: new codes can be added without breaking callers that switch on known ones.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case libraryTooOld, configuration, clientCreation, produce, delivery, flushTimeout, consumer,
                commit, rebalance, admin, metadata, topicNotFound, closed, timeout
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The loaded librdkafka is older than the adapter supports.
        public static let libraryTooOld = Code(.libraryTooOld)
        /// A librdkafka property was rejected.
        public static let configuration = Code(.configuration)
        /// `rd_kafka_new` failed.
        public static let clientCreation = Code(.clientCreation)
        /// librdkafka refused to enqueue a message.
        public static let produce = Code(.produce)
        /// A message was enqueued but its delivery failed (timeout, broker error, fatal producer error).
        public static let delivery = Code(.delivery)
        /// Messages were still outstanding when a flush timed out.
        public static let flushTimeout = Code(.flushTimeout)
        /// The consumer reported an error while polling or subscribing.
        public static let consumer = Code(.consumer)
        /// An offset commit or committed-offset lookup failed.
        public static let commit = Code(.commit)
        /// Assigning or unassigning partitions failed during a rebalance.
        public static let rebalance = Code(.rebalance)
        /// An admin request (create topics) failed.
        public static let admin = Code(.admin)
        /// A metadata request failed.
        public static let metadata = Code(.metadata)
        /// The broker does not know the topic.
        public static let topicNotFound = Code(.topicNotFound)
        /// The client was already shut down or closed.
        public static let closed = Code(.closed)
        /// A bounded operation (e.g. `KafkaPartitionReader.readAll`) did not finish in time.
        public static let timeout = Code(.timeout)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var topic: String?
    public var partition: Int32?
    /// librdkafka's error name (`rd_kafka_err2name`), e.g. `_MSG_TIMED_OUT`, when the error came from it.
    public var libraryErrorName: String?
    /// librdkafka's numeric error code (`rd_kafka_resp_err_t`), when the error came from it.
    public var libraryErrorCode: Int32?
    public var file: String
    public var line: Int

    public init(
        code: Code,
        message: String,
        topic: String? = nil,
        partition: Int32? = nil,
        libraryErrorName: String? = nil,
        libraryErrorCode: Int32? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.topic = topic
        self.partition = partition
        self.libraryErrorName = libraryErrorName
        self.libraryErrorCode = libraryErrorCode
        self.file = file
        self.line = line
    }

    public var description: String {
        var context: [String] = []
        if let topic { context.append("topic: \(topic)") }
        if let partition, partition >= 0 { context.append("partition: \(partition)") }
        if let libraryErrorName { context.append("librdkafka: \(libraryErrorName)") }
        let suffix = context.isEmpty ? "" : " (\(context.joined(separator: ", ")))"
        return "KafkaError.\(code): \(message)\(suffix) [\(file):\(line)]"
    }
}

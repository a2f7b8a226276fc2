import CRdKafka
import Logging
import Synchronization

/// An idempotent producer (`enable.idempotence=true`, `acks=all`): per partition, messages are written
/// once and in the order they were sent. Same key, same partition (`murmur2_random`, as the Java client).
///
/// Delivery reports are served by a dedicated poll thread and resume the awaiting `send` exactly once.
/// Call `shutdown()` before dropping the producer: it flushes, stops the poll thread and then lets
/// the handle be destroyed (see `RDKafkaClient` for the destruction order).
public final class KafkaProducer: Sendable {
    private enum State {
        case running(RDKafkaClient, RDKafkaPollThread)
        case closed
    }

    private let state: Mutex<State>
    private let deliveries: DeliveryReportBridge
    private let config: KafkaProducerConfig
    private let logger: Logger

    public init(config: KafkaProducerConfig, logger: Logger) throws {
        var logger = logger
        logger[metadataKey: KafkaLogKeys.clientId] = "\(config.client.clientId)"
        let deliveries = DeliveryReportBridge()
        let context = RDKafkaCallbackContext(logger: logger, deliveries: deliveries)
        let client = try RDKafkaClient.make(
            kind: .producer,
            properties: Self.properties(config),
            context: context,
            logger: logger
        )
        self.deliveries = deliveries
        self.config = config
        self.logger = logger
        self.state = Mutex(.running(client, RDKafkaPollThread(client: client, name: "nudge.kafka.producer.poll")))
    }

    deinit {
        // Without shutdown() nothing is flushed; the poll thread destroys the handle when it exits.
        if case .running(_, let pollThread) = state.withLock({ $0 }) { pollThread.requestStop() }
    }

    static func properties(_ config: KafkaProducerConfig) -> [(String, String)] {
        let invariants = [("enable.idempotence", "true"), ("acks", "all")]
        return RDKafkaConfig.common(config.client) + invariants + [
            ("message.timeout.ms", "\(config.messageTimeout.kafkaMilliseconds)"),
            ("linger.ms", "\(config.linger.kafkaMilliseconds)"),
            ("partitioner", "murmur2_random"),
        ] + config.client.properties.sorted { $0.key < $1.key } + invariants
    }

    /// Sends one message (to `partition` if set, else by key) and returns where the broker stored it.
    public func send(
        topic: String,
        key: [UInt8],
        value: [UInt8],
        headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) async throws -> KafkaDeliveryReport {
        let message = KafkaOutgoingMessage(topic: topic, key: key, value: value, headers: headers, partition: partition)
        let reports = try await send([message])
        guard let report = reports.first else {
            throw KafkaError(code: .delivery, message: "no delivery report", topic: topic)
        }
        return report
    }

    /// Enqueues all messages in order, then awaits all their reports: one round of batching, not one
    /// round trip per message. Throws the first failure; if a message cannot be enqueued, the rest are
    /// not sent (so a key's messages never skip one). Cancellation does not recall enqueued messages.
    public func send(_ messages: [KafkaOutgoingMessage]) async throws -> [KafkaDeliveryReport] {
        guard !messages.isEmpty else { return [] }
        return try await enqueue(messages).reports()
    }

    /// Enqueues all messages in order and returns at once; their reports arrive on the returned
    /// batch. Batches enqueued one after another keep their order per partition, so a caller can
    /// have several in flight (a pipeline) and still see a key's messages written in order.
    public func enqueue(_ messages: [KafkaOutgoingMessage]) async throws -> KafkaDeliveryBatch {
        let batch = KafkaDeliveryBatch(count: messages.count)
        guard !messages.isEmpty else { return batch }
        let client = try runningClient()
        var failure: KafkaError?
        for (index, message) in messages.enumerated() {
            if let failure {
                batch.complete(index: index, .failure(failure))
                continue
            }
            do {
                try await enqueue(message, index: index, batch: batch, client: client)
            } catch {
                failure = error
                batch.complete(index: index, .failure(error))
            }
        }
        return batch
    }

    private func enqueue(
        _ message: KafkaOutgoingMessage,
        index: Int,
        batch: KafkaDeliveryBatch,
        client: RDKafkaClient
    ) async throws(KafkaError) {
        let id: UInt
        do {
            id = try deliveries.register(batch, index: index)
        } catch {
            throw KafkaError(code: .closed, message: "producer is shut down", topic: message.topic)
        }
        var result = client.produce(message, id: id)
        // A full local queue drains as reports arrive (or messages time out): wait, don't fail.
        while result == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            try? await Task.sleep(for: .milliseconds(2))
            result = client.produce(message, id: id)
        }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            deliveries.unregister(id)
            throw kafkaError(.produce, "could not enqueue message", rdError: result, topic: message.topic)
        }
    }

    /// Waits until every enqueued message has its report, off the cooperative pool.
    public func flush(timeout: Duration) async throws {
        let client = try runningClient()
        try await client.runBlocking { try $0.flush(timeout: timeout) }
    }

    /// Flushes (bounded by `shutdownFlushTimeout`), stops the poll thread, then drops the handle, which
    /// destroys it once no call holds it any more. Sends still outstanding then fail with `.closed`.
    public func shutdown() async {
        do {
            try await flush(timeout: config.shutdownFlushTimeout)
        } catch {
            logger.warning("kafka producer shutdown: \(error)")
        }
        // Drop our reference first, so the poll thread holds the last one and destroys the handle there.
        let pollThread: RDKafkaPollThread? = state.withLock { state in
            defer { state = .closed }
            guard case .running(_, let pollThread) = state else { return nil }
            return pollThread
        }
        await pollThread?.stop()
    }

    private func runningClient() throws -> RDKafkaClient {
        guard case .running(let client, _) = state.withLock({ $0 }) else {
            throw KafkaError(code: .closed, message: "producer is shut down")
        }
        return client
    }
}

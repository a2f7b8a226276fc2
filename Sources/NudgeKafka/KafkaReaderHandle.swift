import CRdKafka
import Foundation
import Logging
import Synchronization

/// The consumer handle behind the group-less readers (`KafkaPartitionReader`, `KafkaRangeReader`):
/// a throwaway `group.id`, no commits, partition EOF events on, a poll thread for logs and errors,
/// and a close that leaves the handle to be destroyed on that thread.
final class KafkaReaderHandle: Sendable {
    private enum State {
        case running(RDKafkaClient, RDKafkaPollThread)
        case closed
    }

    private let state: Mutex<State>
    let logger: Logger
    /// "partition reader", "range reader": for errors and log lines.
    private let name: String

    init(config: KafkaConfig, name: String, logger: Logger) throws {
        var logger = logger
        logger[metadataKey: KafkaLogKeys.clientId] = "\(config.clientId)"
        let client = try RDKafkaClient.make(
            kind: .consumer,
            properties: Self.properties(config, name: name),
            context: RDKafkaCallbackContext(logger: logger),
            logger: logger
        )
        self.logger = logger
        self.name = name
        let threadName = "nudge.kafka.\(name.split(separator: " ").first ?? "reader").poll"
        state = Mutex(.running(client, RDKafkaPollThread(client: client, name: threadName)))
    }

    deinit {
        if case .running(_, let pollThread) = state.withLock({ $0 }) { pollThread.requestStop() }
    }

    static func properties(_ config: KafkaConfig, name: String) -> [(String, String)] {
        let invariants = [
            ("group.id", "nudge-\(name.replacingOccurrences(of: " ", with: "-"))-\(UUID().uuidString.lowercased())"),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            // The end-of-partition event is how a read notices it is done across offset gaps.
            ("enable.partition.eof", "true"),
        ]
        let defaults = [
            // Out of range means records removed by retention meanwhile: go on from the oldest left.
            ("auto.offset.reset", "earliest"),
            // A read that starts at the end waits for one empty fetch: keep that short.
            ("fetch.wait.max.ms", "100"),
        ]
        return RDKafkaConfig.common(config) + invariants + defaults
            + config.properties.sorted { $0.key < $1.key } + invariants
    }

    func runningClient() throws -> RDKafkaClient {
        guard case .running(let client, _) = state.withLock({ $0 }) else {
            throw KafkaError(code: .closed, message: "\(name) is closed")
        }
        return client
    }

    /// Closes the consumer handle (nothing to leave or commit), stops the poll thread, which then
    /// destroys the handle. Later calls throw `.closed`.
    func close() async {
        await closeConsumer()?.stop()
    }

    /// Separate from `close()` so the client reference is gone before the poll thread stops (the
    /// handle is then destroyed there, not on the cooperative pool).
    private func closeConsumer() async -> RDKafkaPollThread? {
        let running: (RDKafkaClient, RDKafkaPollThread)? = state.withLock { state in
            defer { state = .closed }
            guard case .running(let client, let pollThread) = state else { return nil }
            return (client, pollThread)
        }
        guard let (client, pollThread) = running else { return nil }
        let error = try? await client.runBlocking { $0.consumerClose() }
        if let error, error != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("kafka \(name) close: \(kafkaError(.consumer, "close failed", rdError: error))")
        }
        return pollThread
    }
}

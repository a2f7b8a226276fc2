import CRdKafka
import Synchronization

/// Routes librdkafka delivery reports to the batch waiting for them. Each produced message carries an
/// id as its opaque (`_private`), not a pointer, so a late or duplicate report can never touch freed memory.
final class DeliveryReportBridge: Sendable {
    private struct State {
        var nextId: UInt = 1
        var waiting: [UInt: (batch: DeliveryBatch, index: Int)] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    /// Registers a message before it is produced (its report may arrive before `produce` returns).
    func register(_ batch: DeliveryBatch, index: Int) throws -> UInt {
        try state.withLock { state in
            guard !state.closed else {
                throw KafkaError(code: .closed, message: "producer is shut down")
            }
            let id = state.nextId
            state.nextId += 1
            state.waiting[id] = (batch, index)
            return id
        }
    }

    /// Forgets a message librdkafka refused to enqueue.
    func unregister(_ id: UInt) {
        _ = state.withLock { $0.waiting.removeValue(forKey: id) }
    }

    /// Called from the delivery report callback on the poll thread.
    func complete(_ message: rd_kafka_message_t) {
        let id = UInt(bitPattern: message._private)
        guard let waiter = state.withLock({ $0.waiting.removeValue(forKey: id) }) else { return }
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            waiter.batch.complete(
                index: waiter.index,
                .success(KafkaDeliveryReport(topic: topic, partition: message.partition, offset: message.offset))
            )
        } else {
            let error = kafkaError(
                .delivery, "delivery failed", rdError: message.err, topic: topic, partition: message.partition
            )
            waiter.batch.complete(index: waiter.index, .failure(error))
        }
    }

    /// Fails every outstanding message and refuses new ones.
    func failAll(_ error: KafkaError) {
        let waiting = state.withLock { state in
            state.closed = true
            defer { state.waiting = [:] }
            return state.waiting
        }
        for waiter in waiting.values {
            waiter.batch.complete(index: waiter.index, .failure(error))
        }
    }
}

/// The reports of one `send`/`sendBatch` call: resumes its continuation exactly once, when every message
/// has a report (or failed to enqueue), with all reports or the first error.
final class DeliveryBatch: Sendable {
    private struct State {
        var reports: [KafkaDeliveryReport?]
        var remaining: Int
        var firstError: KafkaError?
        var continuation: CheckedContinuation<[KafkaDeliveryReport], any Error>?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(reports: Array(repeating: nil, count: count), remaining: count))
    }

    func complete(index: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let resume: (CheckedContinuation<[KafkaDeliveryReport], any Error>, Result<[KafkaDeliveryReport], any Error>)? =
            state.withLock { state in
                guard state.reports.indices.contains(index), state.reports[index] == nil else { return nil }
                switch result {
                case .success(let report): state.reports[index] = report
                case .failure(let error):
                    // A placeholder marks the slot done; the batch throws `firstError` anyway.
                    state.reports[index] = KafkaDeliveryReport(topic: "", partition: -1, offset: -1)
                    if state.firstError == nil { state.firstError = error }
                }
                state.remaining -= 1
                return Self.takeResumption(&state)
            }
        if let (continuation, result) = resume { continuation.resume(with: result) }
    }

    /// Waits until every message of the batch has its report.
    func wait() async throws -> [KafkaDeliveryReport] {
        try await withCheckedThrowingContinuation { continuation in
            let resume = state.withLock { state in
                state.continuation = continuation
                return Self.takeResumption(&state)
            }
            if let (continuation, result) = resume { continuation.resume(with: result) }
        }
    }

    private static func takeResumption(
        _ state: inout State
    ) -> (CheckedContinuation<[KafkaDeliveryReport], any Error>, Result<[KafkaDeliveryReport], any Error>)? {
        guard state.remaining == 0, let continuation = state.continuation else { return nil }
        state.continuation = nil
        if let error = state.firstError { return (continuation, .failure(error)) }
        return (continuation, .success(state.reports.compactMap { $0 }))
    }
}

import CRdKafka
import Synchronization

/// Routes librdkafka delivery reports to the batch waiting for them. Each produced message carries an
/// id as its opaque (`_private`), not a pointer, so a late or duplicate report can never touch freed memory.
final class DeliveryReportBridge: Sendable {
    private struct State {
        var nextId: UInt = 1
        var waiting: [UInt: (batch: KafkaDeliveryBatch, index: Int)] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    /// Registers a message before it is produced (its report may arrive before `produce` returns).
    func register(_ batch: KafkaDeliveryBatch, index: Int) throws -> UInt {
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

/// The reports of one `send`/`enqueue` call. Complete when every message has a report (or failed to
/// enqueue): then `reports()` gives all of them in order, or the first error. A pipeline can look
/// without waiting (`outcome`) and be told when it completes (`onCompletion`).
public final class KafkaDeliveryBatch: Sendable {
    private struct State {
        var reports: [KafkaDeliveryReport?]
        var remaining: Int
        var firstError: KafkaError?
        var waiters: [CheckedContinuation<[KafkaDeliveryReport], any Error>] = []
        var observers: [@Sendable () -> Void] = []
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(reports: Array(repeating: nil, count: count), remaining: count))
    }

    func complete(index: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let finished:
            (
                waiters: [CheckedContinuation<[KafkaDeliveryReport], any Error>], observers: [@Sendable () -> Void],
                result: Result<[KafkaDeliveryReport], KafkaError>
            )? =
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
                    guard state.remaining == 0 else { return nil }
                    defer {
                        state.waiters = []
                        state.observers = []
                    }
                    return (state.waiters, state.observers, Self.outcome(state))
                }
        guard let finished else { return }
        for waiter in finished.waiters { waiter.resume(with: finished.result.mapError { $0 as any Error }) }
        for observer in finished.observers { observer() }
    }

    /// The outcome once every message has its report; nil while some are outstanding.
    public var outcome: Result<[KafkaDeliveryReport], KafkaError>? {
        state.withLock { $0.remaining == 0 ? Self.outcome($0) : nil }
    }

    /// Calls `observer` once when the batch completes (at once if it already has). It runs on the
    /// thread that completed the batch: keep it short and non-blocking.
    public func onCompletion(_ observer: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.remaining == 0 { return true }
            state.observers.append(observer)
            return false
        }
        if now { observer() }
    }

    /// Waits until every message of the batch has its report.
    public func reports() async throws -> [KafkaDeliveryReport] {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<[KafkaDeliveryReport], KafkaError>? in
                guard state.remaining == 0 else {
                    state.waiters.append(continuation)
                    return nil
                }
                return Self.outcome(state)
            }
            if let ready { continuation.resume(with: ready.mapError { $0 as any Error }) }
        }
    }

    private static func outcome(_ state: State) -> Result<[KafkaDeliveryReport], KafkaError> {
        if let error = state.firstError { return .failure(error) }
        return .success(state.reports.compactMap { $0 })
    }
}

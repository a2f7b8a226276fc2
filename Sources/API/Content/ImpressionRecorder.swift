import NudgeRecords
import ProcessSupport
import EngineCore
import Foundation
import Logging
import NudgeKafka
import Synchronization

/// Records content impressions as `Content Viewed` track events without delaying the content
/// response: `record` only appends to a bounded buffer; `run()` produces what accumulates, one
/// batch per Kafka round trip. A full buffer drops impressions (counted), it never blocks a page
/// or grows memory; a failed produce is counted and logged, never retried (impressions are a
/// signal, not a ledger).
///
/// Run `run()` for the life of the process, started after and stopped before the Kafka producer;
/// it ends when its task is cancelled, after producing what is still buffered.
public final class ImpressionRecorder: Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let capacity: Int
    private let metrics: APIMetrics
    private let logger: Logger
    private let buffer = Mutex<[KafkaOutgoingMessage]>([])
    private let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation

    public static let eventName = "Content Viewed"

    public init(
        producer: KafkaProducer, topic: String, capacity: Int, metrics: APIMetrics = APIMetrics(), logger: Logger
    ) {
        self.producer = producer
        self.topic = topic
        self.capacity = capacity
        self.metrics = metrics
        self.logger = logger
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// One impression per personalized slot shown. Known customers are keyed (and identified) by
    /// their id; `anonymousId` is the id the page asked with, when that was an anonymous id.
    func record(
        customerId: String, anonymousId: String?, known: Bool, shown: [(slot: String, content: SlotContent)],
        site: String
    ) {
        guard !shown.isEmpty else { return }
        let now = ISO8601.format(.wallClock())
        let messages: [KafkaOutgoingMessage] = shown.compactMap { slot, content in
            var event: [String: Value] = [
                "type": "track", "event": .string(Self.eventName), "messageId": .string(UUID().uuidString.lowercased()),
                "timestamp": .string(now),
                "properties": [
                    "slot": .string(slot), "scenario": .string(content.scenario), "step": .string(content.step),
                    "site": .string(site),
                ],
            ]
            if known { event["userId"] = .string(customerId) }
            if let anonymousId { event["anonymousId"] = .string(anonymousId) }
            guard let json = try? JSONValueWriter.bytes(.object(event)) else { return nil }
            return KafkaOutgoingMessage(topic: topic, key: Array(customerId.utf8), value: json)
        }
        let accepted = buffer.withLock { buffer in
            let room = max(0, capacity - buffer.count)
            buffer.append(contentsOf: messages.prefix(room))
            return min(room, messages.count)
        }
        if accepted < messages.count { metrics.impressions("dropped", count: messages.count - accepted) }
        if accepted > 0 { wakeUp.yield() }
    }

    public func run() async {
        await withTaskCancellationHandler {
            for await _ in wakeUps { await flush() }
        } onCancel: {
            wakeUp.finish()
        }
        await flush()
    }

    /// Produces everything buffered, as one batch, until the buffer is empty.
    private func flush() async {
        while true {
            let batch = buffer.withLock { buffer in
                defer { buffer.removeAll(keepingCapacity: true) }
                return buffer
            }
            guard !batch.isEmpty else { return }
            do {
                _ = try await producer.send(batch)
                metrics.impressions("produced", count: batch.count)
            } catch {
                metrics.impressions("failed", count: batch.count)
                logger.warning(
                    "content impressions not recorded",
                    metadata: ["impressions.count": "\(batch.count)", APILogKeys.error: "\(error)"])
            }
        }
    }
}

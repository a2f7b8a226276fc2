import EngineCore
import Foundation
import Logging
import NudgeKafka

/// Reads the window of the events topic: one `KafkaRangeReader` per partition, all in parallel, each
/// assigned directly at the offset for `from` (never joining or committing to a consumer group),
/// read until the first record stamped at or after `to` or the end offset the read started with.
/// Records are decoded as they arrive, so the decoder runs while librdkafka fetches ahead.
enum KafkaHistoryReader {
    /// The partitions read, and the readers still open: closing a reader waits for its last fetch
    /// to come back (most of a second on Tansu), so the caller closes them while it replays.
    struct Read: Sendable {
        var histories: [PartitionHistory]
        var openReaders: [KafkaRangeReader]

        func close() async {
            await withTaskGroup(of: Void.self) { group in
                for reader in openReaders { group.addTask { await reader.close() } }
            }
        }
    }

    static let chunkSize = 4096

    static func read(
        _ source: BacktestSource, plan: BacktestPlan, logger: Logger
    ) async throws(BacktestError) -> Read {
        do {
            let lookup = try KafkaRangeReader(config: source.kafka, logger: logger)
            let count: Int
            let starts: [Int32: Int64?]
            do {
                count = try await lookup.partitionCount(topic: source.topic)
                starts = try await lookup.offsets(
                    topic: source.topic, partitions: (0..<Int32(count)).map { $0 }, atOrAfter: date(plan.window.from))
            } catch {
                await lookup.close()
                throw error
            }
            return try await withThrowingTaskGroup(of: (PartitionHistory, KafkaRangeReader?).self) { group in
                for partition in 0..<Int32(count) {
                    let start = starts[partition] ?? nil
                    group.addTask {
                        try await readPartition(partition, from: start, source: source, plan: plan, logger: logger)
                    }
                }
                // The lookup closes with the partition readers, not before them (see `Read`).
                var read = Read(histories: [], openReaders: [lookup])
                do {
                    for try await (history, reader) in group {
                        read.histories.append(history)
                        if let reader { read.openReaders.append(reader) }
                    }
                } catch {
                    await read.close()
                    throw error
                }
                read.histories.sort { $0.partition < $1.partition }
                return read
            }
        } catch let error as BacktestError {
            throw error
        } catch {
            throw BacktestError(
                .history, "reading \(source.topic) from \(source.kafka.brokers.joined(separator: ",")): \(error)")
        }
    }

    /// `from`: the offset for the window's start, nil when the partition has no record that recent.
    /// Returns the reader still open (see `Read`).
    private static func readPartition(
        _ partition: Int32, from: Int64?, source: BacktestSource, plan: BacktestPlan, logger: Logger
    ) async throws -> (PartitionHistory, KafkaRangeReader?) {
        var history = plan.history(of: partition)
        guard let from else { return (history, nil) }
        let reader = try KafkaRangeReader(config: source.kafka, logger: logger)
        do {
            try await reader.start(topic: source.topic, partition: partition, from: from)
            while !history.isFinished, let chunk = try await reader.next(maxMessages: chunkSize) {
                let decodeStart = ContinuousClock.now
                defer { history.decodeSeconds += Backtester.seconds(ContinuousClock.now - decodeStart) }
                for message in chunk {
                    history.add(
                        HistoryRecord(
                            topic: message.topic, partition: message.partition, offset: message.offset,
                            timestamp: message.timestamp.map { Self.timestamp($0) }, value: message.value))
                    if history.isFinished { break }
                }
            }
            return (history, reader)
        } catch {
            await reader.close()
            throw error
        }
    }

    static func date(_ time: Timestamp) -> Date { Date(timeIntervalSince1970: Double(time.milliseconds) / 1000) }

    static func timestamp(_ date: Date) -> Timestamp {
        Timestamp(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }
}

import NudgeKafka
import Synchronization

/// Collects the offsets whose batches are done (state durable in Redis, records delivered) and
/// commits them to the group in the background, every `interval`, never per record or per batch:
/// a commit is a broker round trip that the pipeline should not wait on. A crash between two
/// commits replays a little, which the customers' applied offsets skip.
final class OffsetCommitter: Sendable {
    private struct State {
        /// Next offset to read per partition, done but not yet committed.
        var done: [KafkaTopicPartition: KafkaTopicPartitionOffset] = [:]
    }

    private let state = Mutex(State())

    /// Records that everything before these offsets is done. Offsets only move forward.
    func completed(_ offsets: [KafkaTopicPartitionOffset]) {
        guard !offsets.isEmpty else { return }
        state.withLock { state in
            for offset in offsets {
                let key = KafkaTopicPartition(topic: offset.topic, partition: offset.partition)
                if let known = state.done[key], known.offset >= offset.offset { continue }
                state.done[key] = offset
            }
        }
    }

    /// Commits what is done, for every partition or only `partitions`. A failed commit puts its
    /// offsets back (unless newer ones arrived meanwhile) and throws.
    func commit(_ consumer: KafkaConsumer, only partitions: Set<Int32>? = nil) async throws {
        let taken = state.withLock { state -> [KafkaTopicPartitionOffset] in
            var taken: [KafkaTopicPartitionOffset] = []
            for (key, offset) in state.done where partitions?.contains(key.partition) ?? true {
                taken.append(offset)
                state.done[key] = nil
            }
            return taken
        }
        guard !taken.isEmpty else { return }
        do {
            try await consumer.commit(taken)
        } catch {
            completed(taken)
            throw error
        }
    }

    /// Forgets what is pending for partitions no longer owned (their next owner replays it).
    func forget(_ partitions: Set<Int32>) {
        state.withLock { state in
            for key in state.done.keys where partitions.contains(key.partition) { state.done[key] = nil }
        }
    }
}

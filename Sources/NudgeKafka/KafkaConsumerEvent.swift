import Dispatch
import Synchronization

/// What a `KafkaConsumer` surfaces, in order.
public enum KafkaConsumerEvent: Sendable {
    /// Messages of one poll, in partition order; none of them belongs to a partition revoked earlier.
    case messages([KafkaMessage])
    /// Partitions newly assigned to this member (already assigned in librdkafka when surfaced). With the
    /// cooperative-sticky strategy this is the increment and may be empty.
    case assigned([KafkaTopicPartition])
    /// Partitions being taken away. librdkafka keeps them until `acknowledge()` (or the revocation
    /// timeout): finish and commit their in-flight work, then acknowledge.
    case revoked([KafkaTopicPartition], KafkaRevocation)
}

/// The hand-over of revoked partitions. The poll thread waits (bounded) until `acknowledge()` is called.
public final class KafkaRevocation: Sendable {
    public let partitions: [KafkaTopicPartition]
    /// The partitions were lost (session timeout, fencing): another member may own them already and
    /// commits for them will fail.
    public let isLost: Bool
    private let acknowledged = Atomic<Bool>(false)
    private let signal = DispatchSemaphore(value: 0)

    init(partitions: [KafkaTopicPartition], isLost: Bool) {
        self.partitions = partitions
        self.isLost = isLost
    }

    /// Says that in-flight work for these partitions is finished and committed. Idempotent.
    public func acknowledge() {
        if !acknowledged.exchange(true, ordering: .acquiringAndReleasing) { signal.signal() }
    }

    public var isAcknowledged: Bool { acknowledged.load(ordering: .acquiring) }

    /// Blocks the poll thread until acknowledged; false on timeout.
    func wait(timeout: Duration) -> Bool {
        let nanoseconds = Int(clamping: Int64(timeout.kafkaMilliseconds) * 1_000_000)
        return signal.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success
    }
}

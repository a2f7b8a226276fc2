import CRdKafka
import Logging

/// Runs inside librdkafka's rebalance callback, on the consumer's poll thread.
/// Assign: assign in librdkafka, then surface. Revoke: surface (after the messages already polled), wait
/// for `KafkaRevocation.acknowledge()` (bounded), then unassign, so no message of a revoked partition
/// is polled after its revoke event and per-partition work can be handed over safely.
final class ConsumerRebalanceHandler: Sendable {
    private let channel: KafkaConsumer.EventChannel
    private let revocationTimeout: Duration
    private let logger: Logger

    init(channel: KafkaConsumer.EventChannel, revocationTimeout: Duration, logger: Logger) {
        self.channel = channel
        self.revocationTimeout = revocationTimeout
        self.logger = logger
    }

    func handle(
        _ handle: OpaquePointer,
        _ event: rd_kafka_resp_err_t,
        _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let partitions = RDKafkaTopicPartitionList.partitions(list)
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        var logger = logger
        logger[metadataKey: KafkaLogKeys.partitions] = "\(partitions.map(\.description).joined(separator: ","))"
        logger[metadataKey: KafkaLogKeys.rebalanceProtocol] = "\(cooperative ? "cooperative" : "eager")"

        switch event {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.info("kafka partitions assigned")
            if cooperative {
                check(rd_kafka_incremental_assign(handle, list))
            } else {
                check(rd_kafka_assign(handle, list))
            }
            channel.flushStaged(then: .assigned(partitions))

        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(handle) != 0
            logger.info("kafka partitions revoked", metadata: [KafkaLogKeys.lost: "\(lost)"])
            if !partitions.isEmpty {
                let revocation = KafkaRevocation(partitions: partitions, isLost: lost)
                let mayWait = channel.awaitRevocation(revocation)
                channel.flushStaged(then: .revoked(partitions, revocation))
                if mayWait, !revocation.wait(timeout: revocationTimeout) {
                    logger.warning("kafka revocation not acknowledged within \(revocationTimeout), releasing anyway")
                }
                channel.revocationDone()
            }
            if cooperative {
                check(rd_kafka_incremental_unassign(handle, list))
            } else {
                check(rd_kafka_assign(handle, nil))
            }

        default:
            logger.error(
                "kafka rebalance failed", metadata: [KafkaLogKeys.error: "\(String(cString: rd_kafka_err2name(event)))"]
            )
            _ = rd_kafka_assign(handle, nil)
        }
    }

    /// Logs a failed incremental (un)assign; librdkafka recovers with the next rebalance.
    private func check(_ error: OpaquePointer?) {
        guard let error else { return }
        defer { rd_kafka_error_destroy(error) }
        logger.error("kafka incremental (un)assign failed: \(String(cString: rd_kafka_error_string(error)))")
    }

    /// Logs a failed eager (un)assign.
    private func check(_ error: rd_kafka_resp_err_t) {
        guard error != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        logger.error("kafka (un)assign failed: \(String(cString: rd_kafka_err2str(error)))")
    }
}

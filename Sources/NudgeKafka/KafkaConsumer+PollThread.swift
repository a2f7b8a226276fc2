import CRdKafka
import Foundation
import Logging
import Synchronization

extension KafkaConsumer {
    /// Starts the thread that owns polling: it polls while the iterator waits, closes the consumer when
    /// asked to stop, then gives up its client reference (destroying the handle if it was the last),
    /// ends the event stream and signals `exited`.
    static func startPollThread(
        client: RDKafkaClient,
        channel: EventChannel,
        exited: CompletionLatch,
        config: KafkaConsumerConfig,
        logger: Logger
    ) {
        let owned = Mutex<RDKafkaClient?>(client)
        let maxBatchSize = max(1, config.maxBatchSize)
        let pollTimeout = config.pollTimeout.kafkaMilliseconds
        let thread = Thread {
            var failure: KafkaError?
            if let client = owned.withLock({ $0.take() }) {
                failure = pollLoop(client, channel, maxBatchSize: maxBatchSize, pollTimeout: pollTimeout, logger)
                channel.stop()
                let error = client.consumerClose()
                if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                    logger.warning("kafka consumer close: \(kafkaError(.consumer, "close failed", rdError: error))")
                }
            }
            channel.finish(failure)
            exited.complete()
        }
        thread.name = "nudge.kafka.consumer.poll"
        thread.start()
    }

    /// Returns when the consumer stops, or with the fatal error that stopped it.
    private static func pollLoop(
        _ client: RDKafkaClient,
        _ channel: EventChannel,
        maxBatchSize: Int,
        pollTimeout: Int32,
        _ logger: Logger
    ) -> KafkaError? {
        while channel.waitForTurn() == .poll {
            while channel.wantsPoll {
                // Wait for the first message only; then take what is already fetched, up to a batch.
                let hasStaged = channel.stagedCount > 0
                switch client.consumerPoll(timeoutMilliseconds: hasStaged ? 0 : pollTimeout) {
                case nil:
                    if hasStaged { channel.flushStaged() }
                case .message(let message):
                    channel.stage(message)
                    if channel.stagedCount >= maxBatchSize { channel.flushStaged() }
                case .endOfPartition:
                    break
                case .error(let error, fatal: true):
                    logger.critical("kafka consumer failed: \(error)")
                    return error
                case .error(let error, fatal: false):
                    logger.warning(
                        "kafka consumer error: \(error)",
                        metadata: [
                            KafkaLogKeys.topic: "\(error.topic ?? "")",
                            KafkaLogKeys.partition: "\(error.partition ?? -1)",
                        ]
                    )
                }
            }
        }
        return nil
    }
}

import NudgeKafka

/// A batch whose state is written (first stage) and whose records are still to be produced
/// (second stage): the messages in order, which of them move this partition's recovery
/// checkpoint, and how many records each customer's outbox got.
struct StagedBatch: Sendable {
    var messages: [KafkaOutgoingMessage] = []
    /// Parallel to `messages`: true for records produced to this partition's number of their
    /// topic (the outbox records recovery looks for from the checkpoint on).
    var checkpointed: [Bool] = []
    /// Customer -> records this batch appended to its outbox.
    var outboxCounts: [String: Int] = [:]
    var stats = BatchStats()

    mutating func append(_ message: KafkaOutgoingMessage, checkpointed: Bool) {
        messages.append(message)
        self.checkpointed.append(checkpointed)
    }

    /// The highest delivered offset per topic among the checkpointed records.
    func checkpoints(from reports: [KafkaDeliveryReport]) -> [String: Int64] {
        var highest: [String: Int64] = [:]
        for (index, report) in reports.enumerated() where index < checkpointed.count && checkpointed[index] {
            highest[report.topic] = max(highest[report.topic] ?? -1, report.offset)
        }
        return highest
    }
}

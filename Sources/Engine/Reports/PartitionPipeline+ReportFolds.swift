import EngineCore
import NudgeRecords
import NudgeRedis
import ProcessSupport

/// A batch's report changes on Redis Cluster, prepared before its write: each customer's
/// encoded deltas (stored by its commit script) and the customers of the previous write whose
/// folded deltas are deleted now.
struct ClusterReportWrite: Sendable {
    var owner: String
    /// Nil when no customer of the batch changes a report.
    var sequence: Int64?
    var deltas: [String: [UInt8]] = [:]
    var previous: [String]
}

extension PartitionPipeline {
    var reportLayout: ReportLayout { ReportLayout(cluster: redis.config.mode == .cluster) }

    func prepareReports(_ plan: BatchPlan) throws -> ClusterReportWrite {
        let owner = reportFolds.owner(partition: partition)
        var write = ClusterReportWrite(owner: owner, sequence: nil, previous: reportFolds.takeFolded())
        let changing = plan.order.filter { !(plan.commits[$0]?.reports.isEmpty ?? true) }
        guard !changing.isEmpty else { return write }
        let sequence = reportFolds.nextSequence()
        write.sequence = sequence
        for customerId in changing {
            guard let commit = plan.commits[customerId] else { continue }
            write.deltas[customerId] = try StoredReportDeltas(
                owner: owner, sequence: sequence, increments: commit.reports
            ).encoded()
        }
        return write
    }

    /// The clustered write: stage by stage (as `pipeline(stages:)` runs them on a cluster, so no
    /// extra round trip), each checked before the next, because the third depends on the
    /// commits' replies. First stage: besides `before`, the previous write's folded deltas are
    /// deleted and this batch's customers listed as pending (before their commits store deltas).
    /// Third: besides `after`, the folds of the customers whose commit went through, and the
    /// previous customers leave the pending set (after their deltas were deleted).
    func writeClustered(
        before: [RedisCommand], commits: [RedisCommand], committed: [String], after: [RedisCommand],
        plan: BatchPlan, reports: ClusterReportWrite
    ) async throws -> [[RedisReply]] {
        var first = before
        first += reports.previous.map { RedisCommand("DEL", keys.reportDeltas($0, partition: partition)) }
        let pending = reports.deltas.keys.sorted()
        if !pending.isEmpty {
            first.append(
                RedisCommand(
                    "SADD",
                    arguments: [RedisArgument(keys.reportPending(partition: partition))]
                        + pending.map { RedisArgument($0) }
                ))
        }
        let firstReplies = try await checkedPipeline(first)
        let commitReplies = try await checkedPipeline(commits)

        var third = after
        if let sequence = reports.sequence {
            var increments: [BatchPlan.ReportIncrement] = []
            for (customerId, reply) in zip(committed, commitReplies) where reply.array?.first?.int == 0 {
                increments += plan.commits[customerId]?.reports ?? []
            }
            let now = Timestamp.wallClock().milliseconds
            for fold in ReportFold.folds(owner: reports.owner, sequence: sequence, increments) {
                third.append(
                    ReportScripts.command(
                        fold, partition: partition, keys: keys, now: now,
                        pruneBefore: now - ReportScripts.markRetention))
            }
        }
        let leaving = Set(reports.previous).subtracting(pending).sorted()
        if !leaving.isEmpty {
            third.append(
                RedisCommand(
                    "SREM",
                    arguments: [RedisArgument(keys.reportPending(partition: partition))]
                        + leaving.map { RedisArgument($0) }
                ))
        }
        let thirdReplies = try await checkedPipeline(third)
        reportFolds.setFolded(pending)
        return [Array(firstReplies.prefix(before.count)), commitReplies, Array(thirdReplies.prefix(after.count))]
    }

    private func checkedPipeline(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let replies = try await redis.pipeline(commands)
        for reply in replies { _ = try reply.throwingError(command: "engine write") }
        return replies
    }

    /// Folds what a crash or a failed write left: every pending customer's stored deltas, grouped
    /// by batch, each owner's batches in sequence order; folds already done are recognised by
    /// their mark and add nothing. Then the deltas are deleted and the customers leave the
    /// pending set. Runs before the partition's other recovery, so before any new batch.
    func recoverReports() async throws {
        guard reportLayout == .scenarioSlot else { return }
        _ = reportFolds.takeFolded()
        let pendingKey = keys.reportPending(partition: partition)
        let customers = (try await redis.send("SMEMBERS", pendingKey).throwingError().array ?? []).compactMap(\.string)
        guard !customers.isEmpty else { return }

        let stored = try await checkedPipeline(
            customers.map { RedisCommand("GET", keys.reportDeltas($0, partition: partition)) })
        var batches: [BatchKey: [BatchPlan.ReportIncrement]] = [:]
        for (customerId, reply) in zip(customers, stored) {
            guard let bytes = reply.bytes else { continue }
            let deltas: StoredReportDeltas
            do {
                deltas = try StoredReportDeltas.decode(bytes)
            } catch {
                throw ReportDeltasUnreadable(partition: partition, customer: customerId, reason: "\(error)")
            }
            batches[BatchKey(owner: deltas.owner, sequence: deltas.sequence), default: []] += deltas.increments
        }
        let now = Timestamp.wallClock().milliseconds
        var folds: [RedisCommand] = []
        for batch in batches.keys.sorted(by: { ($0.owner, $0.sequence) < ($1.owner, $1.sequence) }) {
            for fold in ReportFold.folds(owner: batch.owner, sequence: batch.sequence, batches[batch] ?? []) {
                folds.append(ReportScripts.command(fold, partition: partition, keys: keys, now: now, pruneBefore: 0))
            }
        }
        let folded = try await checkedPipeline(folds).filter { $0.int == 1 }.count
        _ = try await checkedPipeline(
            customers.map { RedisCommand("DEL", keys.reportDeltas($0, partition: partition)) })
        _ = try await checkedPipeline([
            RedisCommand("SREM", arguments: [RedisArgument(pendingKey)] + customers.map { RedisArgument($0) })
        ])
        logger.info(
            "recovering report counters",
            metadata: [
                EngineLogKeys.partition: "\(partition)", EngineLogKeys.customers: "\(customers.count)",
                EngineLogKeys.reportBatches: "\(batches.count)", EngineLogKeys.reportFolds: "\(folded)",
            ])
    }
}

private struct BatchKey: Hashable {
    var owner: String
    var sequence: Int64
}

/// A customer's stored report deltas could not be decoded (written by another version?): the
/// partition's recovery cannot know what they count, so it stops rather than guess.
struct ReportDeltasUnreadable: Error, CustomStringConvertible {
    let partition: Int32
    let customer: String
    let reason: String
    var description: String {
        "partition \(partition): report deltas of customer \(customer) are unreadable: \(reason)"
    }
}

import EngineCore
import NudgeRecords
import ProcessSupport
import Foundation
import Logging
import NudgeKafka
import NudgeRedis

/// Runs batches for one partition: load customers (one round trip), plan with the pure core,
/// write every change (one round trip), produce what the outbox holds, clean up. Effectively
/// once: state and outbox of a customer are written atomically together with the applied
/// offsets, records are produced only after that write, and a crash anywhere leaves either a
/// replay that is skipped or an outbox that `recover()` finishes.
///
/// Not reentrant: its `PartitionWorker` runs one batch at a time.
struct PartitionPipeline: Sendable {
    let partition: Int32
    let catalog: CatalogHolder
    let redis: RedisClient
    let keys: RedisKeys
    let producer: KafkaProducer
    let reader: KafkaPartitionReader
    let topics: EngineTopics
    let metrics: EngineMetrics
    let logger: Logger
    /// Redis Cluster only: this assignment's batch owner and sequence for the report folds.
    let reportFolds = ReportFoldState()

    /// The first stage of a batch: load, plan and write it (with `cleanup` from batches delivered
    /// before), and return what must be produced. Producing is the caller's second stage, which
    /// may overlap the next batch's first stage.
    func stage(
        _ inputs: [WorkInput], deadLetters: [DeadLetter], now: Timestamp, cleanup: OutboxCleanup
    ) async throws -> StagedBatch {
        var staged = StagedBatch()
        for letter in deadLetters {
            staged.append(deadLetterMessage(letter), checkpointed: false)
            metrics.deadLettered(code: letter.code)
        }
        // Events no scenario listens to change no customer: they are not loaded nor written
        // (a replay of one is as inert as the first delivery, so no applied offset is needed).
        let engine = catalog.engine
        var inert = 0
        let inputs = inputs.filter { input in
            guard case .event(let event) = input.kind, !engine.mayChange(with: event) else { return true }
            inert += 1
            return false
        }
        guard !inputs.isEmpty else {
            if !cleanup.isEmpty { try await writeCleanup(cleanup) }
            staged.stats.eventsInert = inert
            metrics.record(staged.stats)
            return staged
        }

        var records = try await loadRecords(Array(Set(inputs.map(\.customerId))))
        let claimed = try await claimAnonymous(inputs, records: records)
        // A claim may have made an id of this batch an alias; reload those few.
        if !claimed.isEmpty {
            let reloaded = try await loadRecords(Array(claimed.keys.filter { records[$0] != nil }))
            records.merge(reloaded) { _, new in new }
        }

        var planner = BatchPlanner(
            engine: engine, partition: partition, topics: topics, now: now, records: records)
        try planner.apply(inputs, claimed: claimed)
        var plan = planner.plan

        let aliased = try await write(plan, cleanup: cleanup)
        FailPoint.afterStateWrite.check()
        for (customerId, alias) in aliased {
            // Merged into another customer between our read and our write: nothing was written
            // for it, so its inputs go to where it lives now.
            guard let commit = plan.commits.removeValue(forKey: customerId) else { continue }
            plan.order.removeAll { $0 == customerId }
            for event in commit.events {
                plan.directRecords.append(try .forwarding(event, to: alias, topic: topics.events))
                plan.stats.forwarded += 1
            }
        }
        for customerId in plan.order {
            guard let outbox = plan.commits[customerId]?.outbox, !outbox.isEmpty else { continue }
            staged.outboxCounts[customerId] = outbox.count
        }
        for record in plan.outbox + plan.directRecords {
            staged.append(record.kafkaMessage, checkpointed: record.partition == partition)
        }
        staged.stats = plan.stats
        staged.stats.eventsInert = inert
        metrics.record(staged.stats)
        return staged
    }

    // MARK: Reading

    private func loadRecords(_ customerIds: [String]) async throws -> [String: CustomerRecord] {
        guard !customerIds.isEmpty else { return [:] }
        let replies = try await redis.pipeline(customerIds.map { RedisCommand("HGETALL", keys.customer($0)) })
        var records: [String: CustomerRecord] = [:]
        for (customerId, reply) in zip(customerIds, replies) {
            let items = try reply.throwingError(command: "HGETALL").array ?? []
            var fields: [(String, [UInt8])] = []
            var index = 0
            while index + 1 < items.count {
                fields.append((items[index].string ?? "", items[index + 1].bytes ?? []))
                index += 2
            }
            records[customerId] = try CustomerRecord.decode(customerId: customerId, fields: fields)
        }
        return records
    }

    /// For each identify that links an anonymous id to a known customer (and is not a replay),
    /// takes over the anonymous id's state. Returns the taken-over states by anonymous id.
    private func claimAnonymous(
        _ inputs: [WorkInput], records: [String: CustomerRecord]
    ) async throws -> [String: CustomerState] {
        var claims: [(anonymous: String, known: String)] = []
        for input in inputs {
            guard case .event(let event) = input.kind, event.kind == .identify,
                let anonymousId = event.anonymousId, let userId = event.userId, anonymousId != userId
            else { continue }
            if let source = input.source, let applied = records[userId]?.appliedOffsets[source.markerKey],
                source.offset <= applied
            {
                continue
            }
            claims.append((anonymousId, userId))
        }
        guard !claims.isEmpty else { return [:] }
        let replies = try await redis.pipeline(
            claims.map {
                RedisCommand.evalSHA(
                    CustomerScripts.claim, keys: [RedisArgument(keys.customer($0.anonymous))],
                    args: [RedisArgument($0.known)])
            })
        var claimed: [String: CustomerState] = [:]
        for (claim, reply) in zip(claims, replies) {
            let checked = try reply.throwingError(command: "EVALSHA")
            guard let bytes = checked.bytes else {
                claimed[claim.anonymous] = CustomerState(customerId: claim.anonymous)
                continue
            }
            claimed[claim.anonymous] = try StateCoding.decode(bytes)
        }
        return claimed
    }

    // MARK: Writing

    /// Three stages, ordered for crash safety: the clean-up, the outbox index and new timers
    /// first (an index entry or a timer without state is harmless, the reverse would lose them),
    /// then each customer's atomic commit, then the timers that are no longer expected. One round
    /// trip on a single Redis; on a cluster each stage waits for the one before (its keys live
    /// on other nodes, and nodes answer in no order).
    /// Returns the customers that turned out to be aliases, with where they went.
    private func write(_ plan: BatchPlan, cleanup: OutboxCleanup) async throws -> [String: String] {
        var commands = cleanupCommands(cleanup)
        let withOutbox = plan.order.filter { !(plan.commits[$0]?.outbox.isEmpty ?? true) }
        if !withOutbox.isEmpty {
            commands.append(
                RedisCommand(
                    "SADD",
                    arguments: [RedisArgument(keys.pendingOutbox(partition: partition))]
                        + withOutbox.map { RedisArgument($0) }))
        }
        if !plan.timerAdds.isEmpty {
            var arguments = [RedisArgument(keys.timers(partition: partition))]
            for (member, due) in plan.timerAdds {
                arguments.append(RedisArgument(Int(due.milliseconds)))
                arguments.append(RedisArgument(member))
            }
            commands.append(RedisCommand("ZADD", arguments: arguments))
        }
        // On a cluster the report counters are in other slots than the customers: the commits
        // store their changes and folds add them after (ClusterReportWrite).
        let reports = reportLayout == .scenarioSlot ? try prepareReports(plan) : nil
        var commits: [RedisCommand] = []
        var committed: [String] = []
        for customerId in plan.order {
            guard let commit = plan.commits[customerId] else { continue }
            commits.append(try commitCommand(commit, clusterReports: reports))
            committed.append(customerId)
        }
        var after: [RedisCommand] = []
        if !plan.timerRemovals.isEmpty {
            after.append(
                RedisCommand(
                    "ZREM",
                    arguments: [RedisArgument(keys.timers(partition: partition))]
                        + plan.timerRemovals.map { RedisArgument($0) }))
        }
        let active = plan.stats.instancesEntered - plan.stats.instancesCompleted
        if active != 0 {
            after.append(RedisCommand("HINCRBY", keys.stats, "instances_active", active))
        }

        let stages =
            if let reports {
                try await writeClustered(
                    before: commands, commits: commits, committed: committed, after: after, plan: plan,
                    reports: reports)
            } else {
                try await redis.pipeline(stages: [commands, commits, after])
            }
        for reply in stages.joined() { _ = try reply.throwingError(command: "engine write") }
        var aliased: [String: String] = [:]
        var conflicts: [String] = []
        for (customerId, reply) in zip(committed, stages[1]) {
            guard let result = reply.array else { continue }
            switch result.first?.int {
            case 1: if let alias = result.dropFirst().first?.string { aliased[customerId] = alias }
            case 2: conflicts.append(customerId)
            default: break
            }
        }
        // Another process changed these customers since we read them: the batch runs again from
        // fresh state (customers already committed skip their applied inputs).
        if !conflicts.isEmpty { throw ConcurrentUpdate(partition: partition, customers: conflicts) }
        return aliased
    }

    /// `clusterReports`: nil on a single Redis (the script increments the counters); on a cluster
    /// the batch's report changes, the customer's of which the script stores in its own slot.
    private func commitCommand(
        _ commit: BatchPlan.CustomerCommit, clusterReports: ClusterReportWrite?
    ) throws -> RedisCommand {
        var args: [RedisArgument] = [
            RedisArgument(Int(commit.version)), RedisArgument(bytes: try StateCoding.encode(commit.state)),
        ]
        args.append(RedisArgument(commit.offsets.count))
        for (source, offset) in commit.offsets.sorted(by: { $0.key < $1.key }) {
            args.append(RedisArgument(RedisKeys.offsetField(source: source)))
            args.append(RedisArgument(Int(offset)))
        }
        args.append(RedisArgument(commit.outbox.count))
        for record in commit.outbox { args.append(RedisArgument(try record.encoded())) }
        args.append(RedisArgument(commit.slotSets.count))
        for (slot, content) in commit.slotSets.sorted(by: { $0.key < $1.key }) {
            args.append(RedisArgument(slot))
            args.append(RedisArgument(content))
        }
        args.append(RedisArgument(commit.slotDeletes.count))
        for slot in commit.slotDeletes.sorted() { args.append(RedisArgument(slot)) }
        let id = commit.customerId
        var scriptKeys = [
            RedisArgument(keys.customer(id)), RedisArgument(keys.outbox(id, partition: partition)),
            RedisArgument(keys.slots(id)),
        ]
        if let clusterReports {
            args.append(RedisArgument(0))
            if let reportDeltas = clusterReports.deltas[id] {
                scriptKeys.append(RedisArgument(keys.reportDeltas(id, partition: partition)))
                args.append(RedisArgument(bytes: reportDeltas))
            }
            return RedisCommand.evalSHA(CustomerScripts.commit, keys: scriptKeys, args: args)
        }
        args.append(RedisArgument(commit.reports.count))
        for report in commit.reports {
            scriptKeys.append(
                RedisArgument(
                    report.hour.map { keys.report(scenario: report.scenario, hour: $0) }
                        ?? keys.reportNow(scenario: report.scenario)))
            args.append(RedisArgument(report.field))
            args.append(RedisArgument(report.delta))
        }
        return RedisCommand.evalSHA(CustomerScripts.commit, keys: scriptKeys, args: args)
    }

    // MARK: Producing

    /// Produces records and waits for every delivery report. Returns the highest offset
    /// delivered per topic (for the recovery checkpoint).
    func produce(_ records: [OutboxRecord]) async throws -> [String: Int64] {
        guard !records.isEmpty else { return [:] }
        let reports = try await producer.send(records.map(\.kafkaMessage))
        var highest: [String: Int64] = [:]
        for (record, report) in zip(records, reports) where record.partition == partition {
            highest[report.topic] = max(highest[report.topic] ?? -1, report.offset)
        }
        return highest
    }

    private func deadLetterMessage(_ letter: DeadLetter) -> KafkaOutgoingMessage {
        KafkaOutgoingMessage(
            topic: topics.deadLetter, key: letter.message.key ?? [], value: letter.message.value,
            headers: letter.message.headers + [
                KafkaHeader(name: "nudge-error-code", value: Array(letter.code.utf8)),
                KafkaHeader(name: "nudge-error", value: Array(letter.reason.utf8)),
                KafkaHeader(
                    name: "nudge-source",
                    value: Array("\(letter.message.topic)/\(letter.message.partition)/\(letter.message.offset)".utf8)),
            ])
    }

    /// Writes the clean-up of delivered batches on its own (when no batch follows soon).
    func writeCleanup(_ cleanup: OutboxCleanup) async throws {
        let commands = cleanupCommands(cleanup)
        guard !commands.isEmpty else { return }
        for reply in try await redis.pipeline(commands) { _ = try reply.throwingError(command: "engine clean-up") }
    }

    /// Removes delivered records from the outboxes and moves the recovery checkpoint. Placed
    /// before a batch's writes, so a customer emptied here and written again by that batch ends
    /// with only the new records and back in the pending index.
    private func cleanupCommands(_ cleanup: OutboxCleanup) -> [RedisCommand] {
        var commands: [RedisCommand] = []
        for customer in cleanup.emptied {
            commands.append(RedisCommand("DEL", keys.outbox(customer, partition: partition)))
        }
        for trim in cleanup.trimmed {
            commands.append(RedisCommand("LTRIM", keys.outbox(trim.customer, partition: partition), trim.count, -1))
        }
        if !cleanup.emptied.isEmpty {
            commands.append(
                RedisCommand(
                    "SREM",
                    arguments: [RedisArgument(keys.pendingOutbox(partition: partition))]
                        + cleanup.emptied.map { RedisArgument($0) }))
        }
        for (topic, offset) in cleanup.checkpoints.sorted(by: { $0.key < $1.key }) {
            commands.append(
                RedisCommand("HSET", keys.producedCheckpoint(partition: partition), topic, Int(offset + 1)))
        }
        return commands
    }

    /// After delivery: the outboxes are empty again, and a later recovery need not look at
    /// anything before what was just delivered.
    func cleanUp(customers: [String], _ delivered: [String: Int64]) async throws {
        guard !customers.isEmpty || !delivered.isEmpty else { return }
        var commands = customers.map { RedisCommand("DEL", keys.outbox($0, partition: partition)) }
        if !customers.isEmpty {
            commands.append(
                RedisCommand(
                    "SREM",
                    arguments: [RedisArgument(keys.pendingOutbox(partition: partition))]
                        + customers.map { RedisArgument($0) }))
        }
        for (topic, offset) in delivered {
            commands.append(
                RedisCommand("HSET", keys.producedCheckpoint(partition: partition), topic, Int(offset + 1)))
        }
        for reply in try await redis.pipeline(commands) { _ = try reply.throwingError(command: "engine clean-up") }
    }
}

/// A customer changed between the read and the commit of a batch (another process wrote it).
struct ConcurrentUpdate: Error, CustomStringConvertible {
    let partition: Int32
    let customers: [String]
    var description: String { "partition \(partition): \(customers.count) customer(s) changed concurrently; retrying" }
}

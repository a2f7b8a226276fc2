import EngineCore
import Logging
import NudgeRecords
import ProcessSupport

/// Replans one partition's existing customers when the live scenarios with date or absence
/// triggers change (`ScenarioCatalog.timerTriggerScenarios`): a customer created before a
/// birthday scenario was deployed gets its birthday timer, one whose scenario was retired loses
/// its timer. Page by page, each page's customers run as a batch of `WorkInput.replan` on the
/// partition's runner (so in order with their events, version-checked), and the progress is
/// written after the batch is committed: a crash or a rebalance resumes at the page that was
/// in progress, which runs again and changes nothing the second time.
struct PartitionReplanner {
    /// A page to run: its customers as inputs, and the progress to write once they are committed.
    struct Page: Sendable {
        var inputs: [WorkInput]
        var progress: ReplanProgress
    }

    let pipeline: PartitionPipeline
    let pageSize: Int
    let partitions: Int
    let logger: Logger
    /// The trigger scenarios this partition's replan is known to be finished for: checked in
    /// memory on every tick, so a finished replan costs nothing.
    private var finishedFor: [String]?

    init(pipeline: PartitionPipeline, pageSize: Int, partitions: Int, logger: Logger) {
        self.pipeline = pipeline
        self.pageSize = pageSize
        self.partitions = partitions
        self.logger = logger
    }

    /// The next page, or nil when there is nothing to replan.
    mutating func nextPage(now: Timestamp) async throws -> Page? {
        let scenarios = pipeline.catalog.engine.catalog.timerTriggerScenarios
        if finishedFor == scenarios { return nil }
        let stored = try await pipeline.loadReplanProgress()
        // Never replanned and no trigger scenarios: no timer to plan, none to cancel.
        if stored == nil, scenarios.isEmpty {
            finishedFor = scenarios
            return nil
        }
        var progress: ReplanProgress
        if let stored, stored.scenarios == scenarios {
            progress = stored
        } else {
            progress = ReplanProgress(scenarios: scenarios, startedAt: now.milliseconds)
            logger.info(
                "replan of existing customers started",
                metadata: [
                    EngineLogKeys.partition: "\(pipeline.partition)",
                    EngineLogKeys.scenarios: "\(scenarios.joined(separator: ","))",
                ])
        }
        if progress.isFinished {
            finishedFor = scenarios
            pipeline.metrics.replanRunning(partition: pipeline.partition, false)
            return nil
        }
        pipeline.metrics.replanRunning(partition: pipeline.partition, true)
        let page = try await pipeline.scanCustomers(cursor: progress.cursor, count: pageSize, partitions: partitions)
        pipeline.metrics.replanScanned(page.scanned)
        progress.cursor = page.next
        progress.scanned += page.scanned
        progress.replanned += page.owned.count
        if page.next == "0" { progress.finishedAt = now.milliseconds }
        let inputs = page.owned.map { WorkInput(customerId: $0, kind: .replan, source: nil) }
        return Page(inputs: inputs, progress: progress)
    }

    /// Records a page whose customers are committed; `changed`: how many of them were written.
    mutating func completed(_ page: Page, changed: Int) async throws {
        var progress = page.progress
        progress.changed += changed
        try await pipeline.writeReplanProgress(progress)
        guard let finishedAt = progress.finishedAt else { return }
        finishedFor = progress.scenarios
        pipeline.metrics.replanRunning(partition: pipeline.partition, false)
        pipeline.metrics.replanFinished()
        logger.info(
            "replan of existing customers finished",
            metadata: [
                EngineLogKeys.partition: "\(pipeline.partition)",
                EngineLogKeys.scenarios: "\(progress.scenarios.joined(separator: ","))",
                EngineLogKeys.customers: "\(progress.replanned)",
                EngineLogKeys.changed: "\(progress.changed)",
                EngineLogKeys.scanned: "\(progress.scanned)",
                EngineLogKeys.durationMilliseconds: "\(finishedAt - progress.startedAt)",
            ])
    }
}

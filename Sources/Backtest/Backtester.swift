import EngineCore
import Ingest
import Foundation
import Logging
import NudgeKafka

/// Where the history is: the events topic on a broker.
public struct BacktestSource: Sendable {
    public var kafka: KafkaConfig
    public var topic: String

    public init(kafka: KafkaConfig, topic: String) {
        self.kafka = kafka
        self.topic = topic
    }
}

/// What to replay and how.
public struct BacktestPlan: Sendable {
    public var window: BacktestWindow
    /// The candidate scenarios (run as if active) and the contact policy.
    public var engine: ScenarioEngine
    /// `--customers N`: replay only a stable sample of N customers.
    public var sample: Int?
    /// For the report: the files the engine was loaded from, and the policy file.
    public var files: [String]
    public var policyFile: String?
    /// The engine's `engine.max_event_bytes`: larger records are skipped as `too_large`, as it dead-letters them.
    public var maxEventBytes: Int

    public init(
        window: BacktestWindow, engine: ScenarioEngine, sample: Int?, files: [String], policyFile: String?,
        maxEventBytes: Int = 32 * 1024
    ) {
        self.window = window
        self.engine = engine
        self.sample = sample
        self.files = files
        self.policyFile = policyFile
        self.maxEventBytes = maxEventBytes
    }

    /// An empty history of one partition, decoding as the engine does.
    func history(of partition: Int32) -> PartitionHistory {
        PartitionHistory(
            partition: partition, window: window, engine: engine, decoder: EventDecoder(maxEventBytes: maxEventBytes))
    }
}

/// `nudge backtest`: candidate scenarios over the retained history of the events topic, through the
/// pure core with the clock following event time. Reads only: nothing is written to Redis,
/// PostgreSQL or Kafka, and nothing is sent.
public enum Backtester {
    public static func run(
        _ plan: BacktestPlan, source: BacktestSource, logger: Logger
    ) async throws(BacktestError) -> BacktestReport {
        let readStart = ContinuousClock.now
        let read = try await KafkaHistoryReader.read(source, plan: plan, logger: logger)
        let readSeconds = seconds(ContinuousClock.now - readStart)
        async let closed: Void = read.close()
        let report = await replay(read.histories, plan: plan, topic: source.topic, readSeconds: readSeconds)
        await closed
        return report
    }

    /// The replay and the report, on records already in hand (tests, other sources). Records must be
    /// in offset order per partition.
    public static func run(_ plan: BacktestPlan, records: [HistoryRecord], topic: String) async -> BacktestReport {
        let readStart = ContinuousClock.now
        var histories: [Int32: PartitionHistory] = [:]

        for record in records {
            histories[record.partition, default: plan.history(of: record.partition)].add(record)
        }
        let readSeconds = seconds(ContinuousClock.now - readStart)
        return await replay(
            histories.values.sorted { $0.partition < $1.partition }, plan: plan, topic: topic, readSeconds: readSeconds)
    }

    static func replay(
        _ partitions: [PartitionHistory], plan: BacktestPlan, topic: String, readSeconds: Double
    ) async -> BacktestReport {
        let replayStart = ContinuousClock.now
        let outcome = await BacktestReplay.run(
            partitions, engine: plan.engine, window: plan.window, sample: plan.sample)
        let replaySeconds = seconds(ContinuousClock.now - replayStart)
        let context = BacktestReport.Context(
            window: plan.window, topic: topic, files: plan.files, policy: plan.policyFile,
            scenarios: plan.engine.catalog.all, sample: plan.sample, readSeconds: readSeconds,
            replaySeconds: replaySeconds)
        return BacktestReport.build(outcome, partitions: partitions, context: context)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }
}

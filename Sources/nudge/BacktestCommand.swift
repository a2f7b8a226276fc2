import ArgumentParser
import Backtest
import EngineCore
import Foundation
import Logging
import RuleFileReader

/// `nudge backtest FILES... --from T1 --to T2`: candidate scenarios over the retained history of the
/// events topic, through the pure core on event time, reported per scenario, step and hour.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay the events topic's history through candidate scenarios and report what they would have done.",
        discussion: """
            Reads the events topic (topics.events; brokers from kafka.brokers or NUDGE_KAFKA_BROKERS) with one \
            reader per partition, outside any consumer group, from the first record stamped at or after --from \
            to the first stamped at or after --to (or the end offset seen when the read starts). Customers start \
            empty at --from; the clock follows event time, and timers due before --to fire. Scenarios run as if \
            active, whatever their status. Without a policy.yaml among FILES the rules directory's policy.yaml \
            applies. Nothing is written to Redis, PostgreSQL or Kafka, and nothing is sent.
            """
    )

    @Argument(help: "Scenario files or directories, and optionally a policy.yaml.")
    var files: [String]

    @Option(help: "Start of the history window (ISO 8601, e.g. 2026-12-01T00:00:00Z).")
    var from: String

    @Option(help: "End of the history window, exclusive (ISO 8601).")
    var to: String

    @Option(help: "Replay only this many customers, chosen by a stable hash of their id.")
    var customers: Int?

    @Option(help: "Report format: json, markdown or html.")
    var format: String = "markdown"

    @Option(name: [.short, .customLong("output")], help: "Write the report to this file instead of stdout.")
    var output: String?

    @Option(help: "Read this topic instead of the configured events topic.")
    var topic: String?

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        guard let reportFormat = BacktestFormat(rawValue: format) else {
            throw ValidationError("--format must be json, markdown or html")
        }
        if let customers, customers < 1 { throw ValidationError("--customers must be at least 1") }
        let window = try BacktestWindow(from: from, to: to)
        let config = try await options.load()
        var plan = try loadPlan(window: window, rulesDirectory: config.rulesDirectory)
        plan.maxEventBytes = config.engine.maxEventBytes

        var logger = Logger(label: "nudge.backtest")
        logger.logLevel = .warning
        let source = BacktestSource(kafka: config.kafka, topic: topic ?? config.topics.events)
        let report = try await Backtester.run(plan, source: source, logger: logger)
        let text = try report.render(reportFormat)
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                throw BacktestError(.output, "cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        let summary =
            "backtest: \(report.read.records) records from \(report.read.partitions.count) partitions of "
            + "\(source.topic), \(report.replay.events) events replayed for \(report.customers.replayed) customers, "
            + "\(report.read.skippedTotal) skipped; read \(String(format: "%.2f", report.read.seconds)) s, "
            + "replay \(String(format: "%.2f", report.replay.seconds)) s, \(Int(report.eventsPerSecond)) events/s\n"
        FileHandle.standardError.write(Data(summary.utf8))
    }

    /// The candidate scenarios (as if active) and the policy: one among FILES, else the rules
    /// directory's `policy.yaml` when there is one.
    private func loadPlan(window: BacktestWindow, rulesDirectory: String) throws -> BacktestPlan {
        var paths = files
        let (given, _) = RuleFiles.yamlFiles(in: files)
        var policyFile = given.first(where: RuleFiles.isPolicyFile)
        if policyFile == nil {
            let fallback = (rulesDirectory as NSString).appendingPathComponent("policy.yaml")
            if FileManager.default.fileExists(atPath: fallback) {
                paths.append(fallback)
                policyFile = fallback
            }
        }
        let loaded = RuleFiles.load(paths: paths)
        if !loaded.errors.isEmpty {
            for error in loaded.errors { FileHandle.standardError.write(Data((error.description + "\n").utf8)) }
            throw ExitCode.failure
        }
        if loaded.policies.count > 1 { throw ValidationError("more than one policy file given") }
        if loaded.scenarios.isEmpty { throw ValidationError("no scenario among \(files.joined(separator: " "))") }
        let catalog = try ScenarioCatalog(loaded.scenarios.map { $0.with(status: .active) })
        let engine = ScenarioEngine(catalog: catalog, policy: loaded.policies.first ?? .unrestricted)
        return BacktestPlan(
            window: window, engine: engine, sample: customers,
            files: loaded.files.filter { !RuleFiles.isPolicyFile($0) }, policyFile: policyFile)
    }
}

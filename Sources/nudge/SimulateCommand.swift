import ArgumentParser
import EngineCore
import RuleFileReader
import Foundation

/// `nudge simulate <scenarios> --events <file.jsonl>`: runs events on a virtual clock and
/// prints the timeline of what the scenarios would do.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run scenarios over Segment events (JSON lines) on a virtual clock and print the timeline.",
        discussion: """
            Scenarios are simulated as if active, whatever their status. Timers fire in between events and \
            after the last one, until none remain or the horizon is reached. A policy.yaml among the paths (or \
            --policy) applies the contact policy, and the timeline shows its decisions.
            """
    )

    @Argument(help: "Scenario files or directories.")
    var scenarios: [String]

    @Option(help: "Events, one Segment-spec JSON object per line, with ISO-8601 timestamps.")
    var events: String

    @Option(help: "Profiles to seed, one JSON object per line: {\"userId\": ..., \"traits\": {...}}.")
    var profiles: String?

    @Option(help: "Output format: text or json (one object per line).")
    var format: String = "text"

    @Option(help: "Contact policy file (policy.yaml); without it only opt-outs and bounces apply.")
    var policy: String?

    @Option(help: "How long after the last event timers keep firing (e.g. 30d).")
    var horizon: String = "60d"

    func run() throws {
        guard let outputFormat = TimelineFormat(rawValue: format) else {
            throw ArgumentParser.ValidationError("--format must be text or json")
        }
        guard case .success(let horizonSpan) = TimeSpan.parse(horizon) else {
            throw ArgumentParser.ValidationError("--horizon must be a duration such as 30d")
        }
        let loaded = RuleFiles.load(paths: scenarios + (policy.map { [$0] } ?? []))
        if !loaded.errors.isEmpty {
            for error in loaded.errors { printError(error.description) }
            throw ExitCode.failure
        }
        // Simulation is for trying scenarios before launch: drafts and paused ones run too.
        if loaded.policies.count > 1 {
            throw ArgumentParser.ValidationError("more than one policy file given")
        }
        let engine = ScenarioEngine(
            catalog: try ScenarioCatalog(loaded.scenarios.map { $0.with(status: .active) }),
            policy: loaded.policies.first ?? .unrestricted)
        do {
            let eventList = try SegmentEventDecoder.events(jsonLines: try readText(events), file: events)
            let profileList =
                try profiles.map { try SegmentEventDecoder.profiles(jsonLines: try readText($0), file: $0) } ?? []
            let simulation = Simulator.run(
                engine: engine, events: eventList, profiles: profileList, horizon: horizonSpan)
            let output = TimelineFormatter.render(simulation.timeline, format: outputFormat)
            if !output.isEmpty { print(output) }
        } catch let error as SegmentEventDecoder.LineError {
            printError(error.description)
            throw ExitCode.failure
        }
    }

    private func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ArgumentParser.ValidationError("cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

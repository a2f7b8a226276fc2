import EngineCore

/// "Try before launch", pure: runs the simulator `nudge simulate` uses over pasted events and
/// profiles (JSON lines) with the given scenarios and contact policy, or says which input is wrong
/// and where. Scenarios run as if active, whatever their status, like `nudge simulate`.
struct ConsoleSimulation: Sendable {
    /// What the form asked for.
    struct Input: Sendable {
        var events: String
        var profiles: String
        var horizon: TimeSpan
    }

    /// At most this many events in one run, so a paste cannot keep the server busy for long.
    static let maxEvents = 2000

    enum Outcome: Sendable {
        case ran(timeline: [TimelineEntry], pendingTimers: Int)
        /// Which field was wrong, and the decoder's message with its line.
        case invalid(field: String, message: String)
    }

    static func run(scenarios: [Scenario], policy: ContactPolicy, input: Input) -> Outcome {
        let catalog: ScenarioCatalog
        do {
            catalog = try ScenarioCatalog(scenarios.map { $0.with(status: .active) })
        } catch {
            return .invalid(field: "scenario", message: error.description)
        }
        let events: [Event]
        let profiles: [(customer: String, traits: [String: Value])]
        do {
            events = try SegmentEventDecoder.events(jsonLines: input.events, file: "events")
        } catch {
            return .invalid(field: "events", message: error.description)
        }
        guard !events.isEmpty else { return .invalid(field: "events", message: "events: paste at least one event") }
        guard events.count <= maxEvents else {
            return .invalid(field: "events", message: "events: at most \(maxEvents) events in one run")
        }
        do {
            profiles = try SegmentEventDecoder.profiles(jsonLines: input.profiles, file: "profiles")
        } catch {
            return .invalid(field: "profiles", message: error.description)
        }
        let simulation = Simulator.run(
            engine: ScenarioEngine(catalog: catalog, policy: policy), events: events, profiles: profiles,
            horizon: input.horizon)
        return .ran(timeline: simulation.timeline, pendingTimers: simulation.pendingTimers)
    }
}

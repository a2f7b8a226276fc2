import EngineCore
import Foundation
import Hummingbird

/// Trying scenarios before launch (viewer: nothing is sent or stored):
/// - `GET /console/simulate?scenario=`: the form;
/// - `POST /console/simulate` (form: `scenario`, `yaml`, `events`, `profiles`, `policy`,
///   `horizon`): runs `ConsoleSimulation` with the latest deployed version of the chosen
///   scenarios (or every one), the pasted YAML instead where given, and the contact policy this
///   process loaded, and shows the effects timeline with the form kept.
struct ConsoleSimulatorRoutes<Context: APIRequestContext>: Sendable {
    let console: ConsoleDependencies

    /// Events, profiles and a scenario, URL-encoded.
    static var formLimit: Int { 1_024 * 1_024 }

    func add(to group: RouterGroup<Context>) {
        let gate = console.gate
        group.get("simulate") { request, _ in
            let user = try await gate.page(request)
            var form = SimulatorPage.Form()
            form.scenario = try ConsoleForm.parse(request.uri.query ?? "")["scenario"] ?? ""
            let (options, _) = try await deployed()
            return ConsoleResponse.page(SimulatorPage.render(form: form, options: options, outcome: nil, user: user))
        }
        group.post("simulate") { request, _ in
            let fields = try await ConsoleForm.read(request, limit: Self.formLimit)
            let user = try await gate.form(request, fields, minimum: .viewer)
            let form = SimulatorPage.Form(
                scenario: fields["scenario"] ?? "", yaml: fields["yaml"] ?? "", events: fields["events"] ?? "",
                profiles: fields["profiles"] ?? "", applyPolicy: fields["policy"] == "on",
                horizon: fields["horizon"].map { $0.isEmpty ? "60d" : $0 } ?? "60d")
            let (options, latest) = try await deployed()
            let outcome: ConsoleSimulation.Outcome
            var notes: [String] = []
            switch (TimeSpan.parse(form.horizon), try await scenarios(form, latest: latest, notes: &notes)) {
            case (.failure, _):
                outcome = .invalid(field: "horizon", message: "horizon: a duration such as 30d or 12h")
            case (_, .failure(let refused)):
                outcome = refused.outcome
            case (.success(let horizon), .success(let scenarios)):
                outcome = ConsoleSimulation.run(
                    scenarios: scenarios, policy: form.applyPolicy ? console.policy : .unrestricted,
                    input: ConsoleSimulation.Input(events: form.events, profiles: form.profiles, horizon: horizon))
            }
            let status: HTTPResponse.Status = if case .invalid = outcome { .unprocessableContent } else { .ok }
            return ConsoleResponse.page(
                SimulatorPage.render(form: form, options: options, outcome: outcome, notes: notes, user: user),
                status: status)
        }
    }

    /// Why the scenarios of a run could not be put together, as the outcome the page shows.
    struct Refused: Error {
        var outcome: ConsoleSimulation.Outcome
    }

    /// The scenarios of a run: the chosen one (or all) at their latest deployed version, with the
    /// pasted YAML in place of its id's deployed version.
    private func scenarios(_ form: SimulatorPage.Form, latest: [String: String], notes: inout [String]) async throws
        -> Result<[Scenario], Refused>
    {
        var chosen: [String: Scenario] = [:]
        let ids = form.scenario.isEmpty ? latest.keys.sorted() : [form.scenario]
        for id in ids {
            guard let yaml = latest[id] else {
                return .failure(
                    Refused(outcome: .invalid(field: "scenario", message: "scenario: no deployed scenario \(id)")))
            }
            switch ScenarioLoader.load(yaml: yaml, file: id) {
            case .success(let scenario): chosen[id] = scenario
            case .failure: notes.append("\(id): its latest version does not load and was left out.")
            }
        }
        if !form.yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            switch ScenarioLoader.load(yaml: form.yaml, file: "yaml") {
            case .success(let scenario):
                if form.scenario.isEmpty || scenario.id == form.scenario {
                    chosen[scenario.id] = scenario
                } else {
                    chosen = [scenario.id: scenario]
                    notes.append("The YAML is scenario \(scenario.id), so it ran alone.")
                }
            case .failure(let errors):
                let lines = errors.errors.map {
                    "line \($0.location.line), column \($0.location.column): \($0.message)"
                }
                return .failure(
                    Refused(outcome: .invalid(field: "yaml", message: "YAML: " + lines.joined(separator: "; "))))
            }
        }
        return .success(chosen.keys.sorted().compactMap { chosen[$0] })
    }

    /// Every deployed scenario as a choice, and the YAML of each one's latest version.
    private func deployed() async throws -> ([SimulatorPage.Option], [String: String]) {
        var options: [SimulatorPage.Option] = []
        var latest: [String: String] = [:]
        for scenario in try await console.store.list() {
            let version = scenario.versions.max() ?? scenario.activeVersion
            guard let yaml = try await console.store.source(of: scenario.id, version: version) else { continue }
            latest[scenario.id] = yaml
            options.append(
                SimulatorPage.Option(
                    id: scenario.id, label: "\(scenario.id) (v\(version), \(scenario.status.rawValue))"))
        }
        return (options, latest)
    }
}

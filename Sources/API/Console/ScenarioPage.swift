import EngineCore
import Foundation
import ScenarioStore

/// `/console/scenarios/{id}`: one scenario's step graph with live per-step counts, today's hours,
/// its versions, the history of changes, and the actions the signed-in role may take.
enum ScenarioPage {
    struct Model: Sendable {
        var scenario: DeployedScenario
        /// The active version, loaded; nil when its YAML no longer loads.
        var active: Scenario?
        var lock: ScenarioLock?
        var versions: [StoredScenarioVersion]
        var report: ScenarioReport
        /// A page of the scenario's audit log.
        var history: AuditLogReader.Page
    }

    static func render(_ model: Model, user: ConsoleUser, notice: String? = nil) -> HTML {
        let id = model.scenario.id
        let counts = ConsoleCounts(model.report)
        let name = model.active?.name ?? id
        let graph: HTML =
            model.active.map { StepGraphSVG.render(StepGraph($0), counts: counts, title: "Step graph of \(name)") }
            ?? "<p class=\"error\">The active version does not load; open the editor to see why.</p>"
        let body: HTML = """
            <h1>\(name) <span class="muted">\(id)</span></h1>
            <p class="facts">\(ConsoleFormat.status(model.scenario.status))
            <span>active version <strong>\(model.scenario.activeVersion)</strong></span>
            <span>\(model.lock.map { "edit lock: \(ConsoleFormat.lock($0))" } ?? "not locked")</span></p>
            \(model.active.map { $0.description.isEmpty ? HTML.empty : "<p>\($0.description)</p>" } ?? .empty)
            \(actions(model, user: user))
            <p><a href="/console/simulate?scenario=\(id)">Try it on sample events</a> (nothing is sent)</p>
            <section aria-labelledby="steps-heading" data-counts-url="/console/scenarios/\(id)/counts">
            <h2 id="steps-heading">Steps</h2>
            <p class="muted">Counts since 00:00 UTC, waiting counts right now; they refresh every few seconds.
            <span data-updated></span></p>
            <div class="scroll graph-box">\(graph)</div>
            \(stepTable(model, counts: counts))
            </section>
            <section aria-labelledby="hours-heading">
            <h2 id="hours-heading">Today by hour</h2>
            \(HourChartSVG.render(model.report.hours))
            </section>
            \(ScenarioExperimentSection.render(model.report))
            <section aria-labelledby="versions-heading">
            <h2 id="versions-heading">Versions</h2>
            \(versionTable(model))
            </section>
            <section aria-labelledby="history-heading">
            <h2 id="history-heading">History</h2>
            \(ScenarioHistory.render(model.history, scenario: id))
            </section>
            """
        return ConsoleLayout.page(title: name, user: user, body: body, notice: notice)
    }

    private static func actions(_ model: Model, user: ConsoleUser) -> HTML {
        let id = model.scenario.id
        var buttons: [HTML] = []
        if user.may(.editor) { buttons.append("<a class=\"button\" href=\"/console/scenarios/\(id)/edit\">Edit</a>") }
        if user.may(.publisher) {
            switch model.scenario.status {
            case .active:
                buttons.append(
                    ConsoleLayout.actionButton("Pause", action: "/console/scenarios/\(id)/pause", user: user))
            case .paused:
                buttons.append(
                    ConsoleLayout.actionButton("Resume", action: "/console/scenarios/\(id)/resume", user: user))
            case .draft, .archived: break
            }
            if model.scenario.status != .archived {
                buttons.append(
                    ConsoleLayout.actionButton(
                        "Archive", action: "/console/scenarios/\(id)/archive", user: user, style: "danger"))
            }
        }
        return buttons.isEmpty ? .empty : "<div class=\"actions\">\(buttons)</div>"
    }

    private static func stepTable(_ model: Model, counts: ConsoleCounts) -> HTML {
        let steps: [(id: String, kind: String)] =
            model.active.map { active in
                active.stepOrder.compactMap { id in active.steps[id].map { (id, $0.kind.name) } }
            } ?? model.report.steps.compactMap { $0.step.map { ($0, "") } }
        func cells(_ key: String) -> HTML {
            let numbers: [HTML] = ConsoleCounts.fields.map { field in
                "<td class=\"num\" data-count=\"\(key).\(field)\">\(counts.value("\(key).\(field)"))</td>"
            }
            return """
                \(numbers)<td class="reasons" data-reasons="\(key)">\(counts.reasons[key] ?? "")</td>
                """
        }
        let rows: [HTML] = steps.map { step in
            "<tr><th scope=\"row\">\(step.id)</th><td>\(step.kind)</td>\(cells(step.id))</tr>"
        }
        let headers: [HTML] = ConsoleCounts.fields.map { "<th scope=\"col\">\($0)</th>" }
        return """
            <div class="scroll">
            <table class="counts">
            <caption>Per step</caption>
            <thead><tr><th scope="col">Step</th><th scope="col">Kind</th>\(headers)<th scope="col">Suppressed by reason</th></tr></thead>
            <tbody>\(rows)</tbody>
            <tfoot><tr><th scope="row">All steps</th><td></td>\(cells("total"))</tr></tfoot>
            </table>
            </div>
            """
    }

    private static func versionTable(_ model: Model) -> HTML {
        let rows: [HTML] = model.versions.sorted { $0.version > $1.version }.map { version in
            """
            <tr><td class="num">\(version.version)</td><td>\(ConsoleFormat.time(version.deployedAt))</td>\
            <td>\(version.deployedBy)</td><td>\(version.version == model.scenario.activeVersion ? "active" : "")</td></tr>
            """
        }
        return """
            <div class="scroll"><table class="list">
            <thead><tr><th scope="col">Version</th><th scope="col">Deployed</th><th scope="col">By</th><th scope="col"></th></tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            """
    }
}

/// Sent and converted per UTC hour as a bar chart (inline SVG), with the numbers as text too.
enum HourChartSVG {
    static func render(_ hours: [ScenarioReport.HourCounts]) -> HTML {
        guard !hours.isEmpty else { return "<p class=\"muted\">Nothing happened yet today.</p>" }
        let barWidth = 14
        let slot = 2 * barWidth + 10
        let height = 120
        let top = max(1, hours.map { max($0.sent, $0.converted) }.max() ?? 1)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let bars: [HTML] = hours.enumerated().map { index, hour in
            let x = 30 + index * slot
            let sent = hour.sent * height / top
            let converted = hour.converted * height / top
            let label = calendar.component(.hour, from: hour.hour)
            return """
                <g><title>\(label):00 UTC: \(hour.sent) sent, \(hour.converted) converted</title>
                <rect class="bar-sent" x="\(x)" y="\(10 + height - sent)" width="\(barWidth)" height="\(sent)"/>
                <rect class="bar-converted" x="\(x + barWidth)" y="\(10 + height - converted)" width="\(barWidth)" height="\(converted)"/>
                <text x="\(x + barWidth)" y="\(height + 26)" text-anchor="middle">\(label)h</text></g>
                """
        }
        let width = 40 + hours.count * slot
        return """
            <svg class="hours" viewBox="0 0 \(width) \(height + 34)" width="\(width)" role="img" aria-label="Messages sent and goals reached per hour today (UTC); up to \(top) an hour">
            <text x="0" y="18" class="axis">\(top)</text><text x="0" y="\(height + 10)" class="axis">0</text>
            \(bars)
            </svg>
            <p class="legend"><span class="key key-sent"></span> sent <span class="key key-converted"></span> converted</p>
            """
    }
}

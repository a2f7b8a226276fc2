import EngineCore

/// `/console/simulate`: the simulator's form (scenario, optional YAML to try instead of the
/// deployed version, events and profiles as JSON lines, the contact policy on or off, horizon)
/// and, after a run, the effects timeline: what would be sent when, what the policy suppressed
/// or deferred and why.
enum SimulatorPage {
    /// The form as filled in (kept across runs so people can change and run again).
    struct Form: Sendable {
        var scenario = ""
        var yaml = ""
        var events = ""
        var profiles = ""
        var applyPolicy = true
        var horizon = "60d"
    }

    struct Option: Sendable {
        var id: String
        var label: String
    }

    static func render(
        form: Form, options: [Option], outcome: ConsoleSimulation.Outcome?, notes: [String] = [], user: ConsoleUser
    ) -> HTML {
        let body: HTML = """
            <h1>Try before launch</h1>
            <p class="help">Runs the scenarios on a virtual clock over the events you paste, as <code>nudge simulate</code> does:
            nothing is sent and nothing is stored. Scenarios run as if active, at their latest deployed version unless you paste YAML.</p>
            \(formHTML(form, options: options, user: user))
            \(notes.isEmpty ? HTML.empty : "<ul class=\"help\">\(notes.map { "<li>\($0)</li>" as HTML })</ul>")
            \(outcome.map(result) ?? .empty)
            """
        return ConsoleLayout.page(title: "Try before launch", user: user, body: body)
    }

    private static func formHTML(_ form: Form, options: [Option], user: ConsoleUser) -> HTML {
        let choices: [HTML] = options.map { option in
            "<option value=\"\(option.id)\"\(form.scenario == option.id ? " selected" : "")>\(option.label)</option>"
        }
        return """
            <form class="simulate" method="post" action="/console/simulate">
            \(ConsoleLayout.csrfField(user))
            <p><label for="scenario">Scenarios</label>
            <select id="scenario" name="scenario"><option value="">All deployed scenarios</option>\(choices)</select></p>
            <p><label for="yaml">Scenario YAML to try (optional)</label>
            <textarea id="yaml" name="yaml" class="short" spellcheck="false" aria-describedby="yaml-help">\(form.yaml)</textarea>
            <span class="help" id="yaml-help">Replaces the deployed scenario with the same id for this run only.</span></p>
            <p><label for="events">Events (JSON lines)</label>
            <textarea id="events" name="events" spellcheck="false" required aria-describedby="events-help">\(form.events)</textarea>
            <span class="help" id="events-help">One Segment event per line with an ISO-8601 timestamp, e.g.
            <code>{"type":"track","userId":"u1","event":"Signed Up","timestamp":"2026-05-01T10:00:00Z"}</code></span></p>
            <p><label for="profiles">Profiles (JSON lines, optional)</label>
            <textarea id="profiles" name="profiles" class="short" spellcheck="false" aria-describedby="profiles-help">\(form.profiles)</textarea>
            <span class="help" id="profiles-help"><code>{"userId":"u1","traits":{"email":"ada@example.com"}}</code>, seeded before the first event.</span></p>
            <div class="actions">
            <label class="check"><input type="checkbox" name="policy" value="on"\(form.applyPolicy ? " checked" : "")> Apply the contact policy in force</label>
            <label for="horizon" class="inline-label">Run timers for</label>
            <input type="text" id="horizon" name="horizon" value="\(form.horizon)" size="6" aria-describedby="horizon-help">
            <span class="help" id="horizon-help">after the last event (e.g. 30d)</span>
            </div>
            <div class="actions"><button type="submit" class="primary">Run</button></div>
            </form>
            """
    }

    private static func result(_ outcome: ConsoleSimulation.Outcome) -> HTML {
        switch outcome {
        case .invalid(let field, let message):
            return """
                <section aria-labelledby="result-heading" id="result">
                <h2 id="result-heading">Not run</h2>
                <p class="error" role="alert" data-field="\(field)">\(message)</p>
                </section>
                """
        case .ran(let timeline, let pending):
            let sends = timeline.filter { $0.kind == .send }.count
            let suppressed = timeline.filter { $0.kind == .suppress }.count
            let deferred = timeline.filter { $0.kind == .defer }.count
            let rows: [HTML] = timeline.map(row)
            let table: HTML =
                timeline.isEmpty
                ? "<p>Nothing happened: no scenario reacted to these events.</p>"
                : """
                <div class="scroll"><table class="list effects">
                <caption>Effects in the order they would happen</caption>
                <thead><tr><th scope="col">When</th><th scope="col">Customer</th><th scope="col">Scenario · step</th>\
                <th scope="col">What</th><th scope="col">Details</th></tr></thead>
                <tbody>\(rows)</tbody></table></div>
                """
            return """
                <section aria-labelledby="result-heading" id="result">
                <h2 id="result-heading">Effects timeline</h2>
                <p role="status" class="facts"><span><strong data-summary="sent">\(sends)</strong> would be sent</span>
                <span><strong data-summary="suppressed">\(suppressed)</strong> suppressed</span>
                <span><strong data-summary="deferred">\(deferred)</strong> deferred</span>
                \(pending > 0 ? "<span>\(pending) timers still pending after the horizon</span>" as HTML : .empty)</p>
                \(table)
                </section>
                """
        }
    }

    private static func row(_ entry: TimelineEntry) -> HTML {
        """
        <tr class="effect-\(entry.kind.rawValue)"><td>\(ISO8601.format(entry.at))</td><td>\(entry.customerId)</td>\
        <td>\(entry.scenario) <span class="muted">v\(entry.version) · \(entry.step)</span></td>\
        <td>\(what(entry))</td><td>\(details(entry))</td></tr>
        """
    }

    static func what(_ entry: TimelineEntry) -> String {
        switch entry.kind {
        case .enter: "entered"
        case .send: "would send"
        case .suppress: "suppressed"
        case .defer: "deferred"
        case .show: "shows content"
        case .hide: "hides content"
        case .profile: "updates profile"
        case .emit: "emits event"
        case .end: entry.conversion == true ? "converted" : "ended"
        case .wouldSuppress: "shadow rule would stop it"
        case .holdout: "in holdout (sent nothing)"
        }
    }

    /// Channel and template, the policy's reason (the decision without its `suppressed:` or
    /// `deferred:` prefix), until when, the slot, event or data.
    static func details(_ entry: TimelineEntry) -> String {
        var parts: [String] = []
        if let channel = entry.channel { parts.append(channel + (entry.template.map { " · \($0)" } ?? "")) }
        if entry.kind == .suppress || entry.kind == .defer, let decision = entry.decision {
            let reason = decision.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init) ?? decision
            parts.append("why: \(reason)")
        }
        if let until = entry.until { parts.append("until \(ISO8601.format(until))") }
        if let slot = entry.slot { parts.append("slot \(slot)") }
        if let event = entry.event { parts.append("event \(event)") }
        if let reason = entry.reason { parts.append(reason) }
        if entry.kind == .profile || entry.kind == .show, let data = entry.data, !data.isEmpty {
            parts.append(Value.object(data).jsonText)
        }
        return parts.joined(separator: "; ")
    }
}

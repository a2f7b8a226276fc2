import EngineCore

/// `/console/policy`: the contact policy this process loaded (caps, quiet hours, deduplication,
/// priorities), the opt-out rules that always hold, and what the policy held back today.
enum ContactPolicyPage {
    /// The opt-out and feedback rules of the policy evaluator, in the order it checks them
    /// (docs/contact-policy.md): reason, and what puts a customer there.
    static let optOuts: [(reason: String, cause: String)] = [
        ("hard_bounce", "a hard bounce on the channel (Message Bounced with bounce_type: hard); even transactional"),
        ("complaint", "a spam complaint on the channel (Message Complained); even transactional"),
        ("do_not_contact", "profile.do_not_contact is true, or Unsubscribed without channel and topic"),
        ("unsubscribed", "the channel is in profile.unsubscribed_channels, or Unsubscribed with that channel"),
        ("unsubscribed:<topic>", "the send's topic is in profile.unsubscribed_topics, or Unsubscribed with that topic"),
    ]

    static func render(_ policy: ContactPolicy, today: [SuppressionReader.Count], user: ConsoleUser) -> HTML {
        let body: HTML = """
            <h1>Contact policy</h1>
            <p class="help">As loaded from <code>\(policy.location.file)</code> by this server; every engine of the deployment
            applies the same file. Customers without <code>profile.timezone</code> are in <strong>\(policy.defaultTimeZone)</strong>.</p>
            <section aria-labelledby="caps-heading">
            <h2 id="caps-heading">Caps</h2>
            \(caps(policy))
            </section>
            <section aria-labelledby="quiet-heading">
            <h2 id="quiet-heading">Quiet hours</h2>
            \(quietHours(policy))
            </section>
            <section aria-labelledby="shadow-heading">
            <h2 id="shadow-heading">Shadow rules</h2>
            \(shadowRules(policy))
            </section>
            <section aria-labelledby="rules-heading">
            <h2 id="rules-heading">Other rules</h2>
            <ul>
            <li>Programme holdout: \(holdout(policy))</li>
            <li>Deduplication: \(policy.dedupWindow.map { "the same channel and template go to a customer once per \(period($0))" } ?? "off")</li>
            <li>Transactional messages \(policy.transactionalExempt ? "skip caps, quiet hours and opt-outs (not bounces and complaints)" : "follow every rule")</li>
            </ul>
            \(priorities(policy))
            </section>
            <section aria-labelledby="optout-heading">
            <h2 id="optout-heading">Opt-outs in force</h2>
            <div class="scroll"><table class="list">
            <thead><tr><th scope="col">Reason</th><th scope="col">When</th></tr></thead>
            <tbody>\(optOuts.map { "<tr><th scope=\"row\"><code>\($0.reason)</code></th><td>\($0.cause)</td></tr>" as HTML })</tbody>
            </table></div>
            </section>
            <section aria-labelledby="today-heading">
            <h2 id="today-heading">Held back today</h2>
            \(suppressions(today))
            </section>
            """
        return ConsoleLayout.page(title: "Contact policy", user: user, body: body)
    }

    /// `day` and `week` as people say them, other spans as the policy file writes them (`36h`).
    static func period(_ span: TimeSpan) -> String {
        switch span {
        case .days(1): "day"
        case .days(7): "week"
        default: span.formatted
        }
    }

    private static func caps(_ policy: ContactPolicy) -> HTML {
        guard !policy.caps.isEmpty else { return "<p>No caps.</p>" }
        let rows: [HTML] = policy.caps.map { cap in
            "<tr><th scope=\"row\">\(cap.channel ?? "all channels")</th><td class=\"num\">\(cap.max)</td><td>\(period(cap.period))</td></tr>"
        }
        return """
            <div class="scroll"><table class="list">
            <caption>Per customer, in a rolling window; a message over a cap is \(policy.capAction == .defer ? "held until the window has room" : "suppressed")</caption>
            <thead><tr><th scope="col">Channel</th><th scope="col">At most</th><th scope="col">Per</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    private static func quietHours(_ policy: ContactPolicy) -> HTML {
        guard let quiet = policy.quietHours else { return "<p>None.</p>" }
        let channels = quiet.channels.isEmpty ? "all channels" : quiet.channels.joined(separator: ", ")
        return """
            <p>From <strong>\(quiet.from.description)</strong> to <strong>\(quiet.to.description)</strong> in the customer's
            time zone, for \(channels): messages wait until the quiet hours end.</p>
            """
    }

    /// Rules marked `shadow: true`: counted, never enforced (docs/contact-policy.md).
    private static func shadowRules(_ policy: ContactPolicy) -> HTML {
        let caps: [HTML] = policy.shadowCaps.map { cap -> HTML in
            let scope = cap.channel.map { "\($0) messages" } ?? "messages on all channels"
            return
                "<li><code>cap:\(cap.channel ?? "all"):\(cap.max)/\(period(cap.period))</code>: at most \(cap.max) \(scope) per \(period(cap.period))</li>"
        }
        let quiet: [HTML] = policy.shadowQuietHours.map { quiet -> HTML in
            let channels = quiet.channels.isEmpty ? "all channels" : quiet.channels.joined(separator: ", ")
            return
                "<li><code>quiet_hours:\(quiet.from.description)-\(quiet.to.description)</code>: quiet hours for \(channels)</li>"
        }
        guard !caps.isEmpty || !quiet.isEmpty else {
            return
                "<p>None. A cap or quiet hours marked <code>shadow: true</code> is counted without being enforced.</p>"
        }
        return """
            <p class="help">Evaluated beside the enforced rules and never enforced: each message they would have stopped
            is counted as <code>would_suppress</code> by rule in the scenario reports and in
            <code>nudge_engine_shadow_policy_would_suppress_total</code>. Delete a rule's <code>shadow: true</code> line
            to enforce it.</p>
            <ul>\(caps)\(quiet)</ul>
            """
    }

    private static func holdout(_ policy: ContactPolicy) -> HTML {
        guard let holdout = policy.holdout else { return "none" }
        return """
            \(ScenarioExperimentSection.number(holdout.percent))% of customers get no non-transactional message from any scenario and are tracked to the \
            goals, so reports can show the uplift
            """
    }

    private static func priorities(_ policy: ContactPolicy) -> HTML {
        guard !policy.priorities.isEmpty else { return .empty }
        let rows: [HTML] = policy.priorities.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map {
            "<tr><th scope=\"row\"><a href=\"/console/scenarios/\($0.key)\">\($0.key)</a></th><td class=\"num\">\($0.value)</td></tr>"
        }
        return """
            <div class="scroll"><table class="list">
            <caption>Priorities: when a cap has room for one message, the highest goes first</caption>
            <thead><tr><th scope="col">Scenario</th><th scope="col">Priority</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    private static func suppressions(_ counts: [SuppressionReader.Count]) -> HTML {
        guard !counts.isEmpty else { return "<p>Nothing was suppressed or deferred since 00:00 UTC.</p>" }
        let total = counts.filter { $0.status == "suppressed" }.reduce(0) { $0 + $1.messages }
        let held = counts.filter { $0.status == "deferred" }.reduce(0) { $0 + $1.messages }
        let rows: [HTML] = counts.map { count in
            """
            <tr><td>\(count.status)</td><td><code>\(count.reason.isEmpty ? "—" : count.reason)</code></td><td>\(count.channel)</td>\
            <td><a href="/console/scenarios/\(count.scenario)">\(count.scenario)</a></td><td class="num">\(count.messages)</td></tr>
            """
        }
        return """
            <p role="status"><strong data-summary="suppressed">\(total)</strong> messages suppressed and
            <strong data-summary="deferred">\(held)</strong> deferred since 00:00 UTC.</p>
            <div class="scroll"><table class="list">
            <thead><tr><th scope="col">Decision</th><th scope="col">Reason</th><th scope="col">Channel</th>\
            <th scope="col">Scenario</th><th scope="col">Messages</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }
}

import ScenarioStore

/// `/console/scenarios/{id}/edit`: the YAML in an editor with its errors at line:column (checked
/// as you type by the page script, and on "Check"), the changes against the active version, the
/// edit lock, and deploy for publishers.
enum ScenarioEditPage {
    struct Model: Sendable {
        var scenario: DeployedScenario
        var lock: ScenarioLock?
        /// What is in the editor.
        var yaml: String
        /// The version this edit started from (sent back as `base_version`).
        var baseVersion: Int
        /// The active version's YAML, to diff against.
        var activeYAML: String
        /// Validation errors of `yaml`, when it was checked.
        var errors: [ProblemDetails.ScenarioError] = []
        /// Whether `yaml` was checked (so "no errors" can be said).
        var checked = false
        /// The version `yaml` declares, when it is valid.
        var version: Int?
        /// Why the last action was refused (a stale base version, someone else's lock, ...).
        var refusal: String?
    }

    static func render(_ model: Model, user: ConsoleUser, notice: String? = nil) -> HTML {
        let id = model.scenario.id
        let deploy: HTML =
            user.may(.publisher)
            ? """
            <button type="submit" formaction="/console/scenarios/\(id)/deploy" class="primary">Deploy</button>
            """
            : "<p class=\"muted\">Deploying needs the publisher role.</p>"
        let body: HTML = """
            <h1>Edit <a href="/console/scenarios/\(id)">\(id)</a></h1>
            \(lockPanel(model, user: user))
            \(model.refusal.map { "<p class=\"error\" role=\"alert\" id=\"refusal\">\($0)</p>" as HTML } ?? .empty)
            <form method="post" action="/console/scenarios/\(id)/validate" class="editor">
            \(ConsoleLayout.csrfField(user))
            <input type="hidden" name="base_version" value="\(model.baseVersion)">
            <label for="yaml">Scenario YAML (based on version \(model.baseVersion))</label>
            <textarea id="yaml" name="yaml" rows="18" spellcheck="false" autocapitalize="off" autocomplete="off"
              aria-describedby="errors" data-check-url="/console/scenarios/validate">
            \(model.yaml)</textarea>
            <div id="errors" aria-live="polite">\(errors(model))</div>
            <div class="actions">
            <button type="submit">Check</button>
            \(deploy)
            </div>
            </form>
            \(diff(model))
            """
        return ConsoleLayout.page(title: "Edit \(id)", user: user, body: body, notice: notice)
    }

    private static func lockPanel(_ model: Model, user: ConsoleUser) -> HTML {
        let id = model.scenario.id
        let take = ConsoleLayout.actionButton("Take the edit lock", action: "/console/scenarios/\(id)/lock", user: user)
        let release = ConsoleLayout.actionButton(
            "Release the lock", action: "/console/scenarios/\(id)/unlock", user: user)
        guard let lock = model.lock else {
            return "<div class=\"lock\"><p>Nobody holds the edit lock.</p>\(take)</div>"
        }
        if lock.holder == user.key.name {
            return """
                <div class="lock mine"><p>You hold the edit lock until \(ConsoleFormat.time(lock.expiresAt)).</p>\
                \(ConsoleLayout.actionButton("Renew", action: "/console/scenarios/\(id)/lock", user: user))\(release)</div>
                """
        }
        let breakLock: HTML =
            user.may(.admin)
            ? ConsoleLayout.actionButton(
                "Break the lock", action: "/console/scenarios/\(id)/unlock", user: user, style: "danger")
            : .empty
        return """
            <div class="lock other"><p role="status">\(lock.holder) is editing this scenario until \(ConsoleFormat.time(lock.expiresAt)); \
            deploys by anyone else are refused meanwhile.</p>\(breakLock)</div>
            """
    }

    static func errors(_ model: Model) -> HTML {
        if !model.errors.isEmpty {
            let items: [HTML] = model.errors.map { error in
                """
                <li><a href="#yaml" data-line="\(error.line)" data-column="\(error.column)">line \(error.line), column \(error.column)</a>: \
                \(error.message) <span class="muted">(\(error.code))</span></li>
                """
            }
            return """
                <p class="error" role="alert">\(model.errors.count == 1 ? "1 error" : "\(model.errors.count) errors")</p><ul class="errors">\(items)</ul>
                """
        }
        guard model.checked else { return .empty }
        return "<p class=\"ok\">No errors\(model.version.map { ": version \($0) is ready to deploy" } ?? "").</p>"
    }

    private static func diff(_ model: Model) -> HTML {
        let lines = LineDiff.diff(model.activeYAML, model.yaml)
        guard LineDiff.changed(lines) else {
            return
                "<p class=\"muted\" id=\"diff\">No changes against the active version \(model.scenario.activeVersion).</p>"
        }
        let rendered: [HTML] = lines.map { line in
            switch line {
            case .same(let text): "<span class=\"same\">  \(text)\n</span>"
            case .removed(let text): "<del>- \(text)\n</del>"
            case .added(let text): "<ins>+ \(text)\n</ins>"
            }
        }
        return """
            <section id="diff" aria-labelledby="diff-heading">
            <h2 id="diff-heading">Changes against the active version \(model.scenario.activeVersion)</h2>
            <pre class="diff">\(rendered)</pre>
            </section>
            """
    }
}

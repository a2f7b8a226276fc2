import EngineCore

/// A scenario's history on its page: every deploy, status change and lock from the audit log,
/// who did it and when, newest first, with a link to the older page.
enum ScenarioHistory {
    static func render(_ page: AuditLogReader.Page, scenario: String) -> HTML {
        guard !page.entries.isEmpty else { return "<p class=\"muted\">No changes recorded.</p>" }
        let rows: [HTML] = page.entries.map { entry in
            """
            <tr><td>\(ConsoleFormat.time(entry.at))</td><td>\(entry.actor)</td><td>\(describe(entry))</td></tr>
            """
        }
        let older: HTML =
            page.nextBefore.map {
                "<p><a href=\"/console/scenarios/\(scenario)?history_before=\(Int($0))#history-heading\">Older changes</a></p>"
            } ?? .empty
        return """
            <div class="scroll"><table class="list">
            <caption>Changes, newest first</caption>
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th></tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            \(older)
            """
    }

    /// What an audit entry of a scenario says, in words.
    static func describe(_ entry: AuditEntry) -> String {
        switch entry.action {
        case "scenario.deploy":
            let version = entry.subject.split(separator: "@").last.map(String.init) ?? "?"
            return "deployed version \(version)"
        case "scenario.active": return "resumed (active)"
        case "scenario.paused": return "paused"
        case "scenario.archived": return "archived"
        case "scenario.draft": return "set to draft"
        case "scenario.lock": return "took the edit lock"
        case "scenario.lock.renew": return "renewed the edit lock"
        case "scenario.unlock":
            if case .string(let holder)? = entry.detail["broken_lock_of"] { return "broke the edit lock of \(holder)" }
            return "released the edit lock"
        default: return entry.action
        }
    }
}

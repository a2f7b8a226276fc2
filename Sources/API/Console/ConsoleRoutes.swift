import EngineCore
import Foundation
import Hummingbird
import ScenarioStore

/// What the console needs: the admin logic it shows and drives, and the session gate.
struct ConsoleDependencies: Sendable {
    var gate: ConsoleGate
    var store: PostgresScenarioStore
    var reports: ScenarioReportReader
    var audit: any AuditLog
    /// The audit log read back: a scenario's history of deploys, status changes and locks.
    var history: AuditLogReader
    /// A customer's state, messages and timeline, and the erase: the admin API's.
    var customers: CustomerReaders
    /// A held message's ways out, the admin API's.
    var held: HeldMessageActions
    /// The contact policy in force, for the simulator and the policy page.
    var policy: ContactPolicy
    /// What the policy held back, from the message log.
    var suppressions: SuppressionReader
    var maxScenarioBytes: Int
    var lockTTL: Duration

    var actions: ScenarioActions { ScenarioActions(store: store) }

    /// A form carries the YAML URL-encoded: up to three bytes for each of the scenario's.
    var formLimit: Int { maxScenarioBytes * 3 + 4096 }
}

/// The web console under `/console`: server-rendered pages over the admin logic, signed in with
/// an API key. Sessions and assets here; scenarios in `ConsoleScenarioRoutes` and
/// `ConsoleEditRoutes`, customers in `ConsoleCustomerRoutes`, the simulator in
/// `ConsoleSimulatorRoutes`, the contact policy in `ConsolePolicyRoutes`.
/// - `GET /console`: to the scenarios (or the sign-in page);
/// - `GET /console/sign-in`, `POST /console/sign-in` (form field `key`), `POST /console/sign-out`;
/// - `GET /console/assets/console.css|console.js`: the style sheet and the one script.
struct ConsoleSessionRoutes<Context: APIRequestContext>: Sendable {
    let console: ConsoleDependencies

    func add(to group: RouterGroup<Context>) {
        let gate = console.gate
        group.get { _, _ in ConsoleResponse.redirect("/console/scenarios") }
        group.get("sign-in") { request, _ in
            if try await gate.user(request) != nil { return ConsoleResponse.redirect("/console/scenarios") }
            return ConsoleResponse.page(SignInPage.render())
        }
        group.post("sign-in") { request, context in
            try ConsoleGate.checkOrigin(request)
            let form = try await ConsoleForm.read(request, limit: 4096)
            guard let (cookie, user) = try await gate.signIn(secret: form["key"] ?? "") else {
                return ConsoleResponse.page(
                    SignInPage.render(error: "That is not an active API key. Check it and try again."),
                    status: .unauthorized)
            }
            try await console.audit.record(
                actor: user.key.name, action: "console.sign_in", subject: "console", detail: [:])
            context.logger.info("console sign-in", metadata: [APILogKeys.apiKeyName: "\(user.key.name)"])
            return ConsoleResponse.redirect("/console/scenarios", headers: [.setCookie: cookie])
        }
        group.post("sign-out") { request, _ in
            let form = try await ConsoleForm.read(request, limit: 4096)
            let user = try await gate.form(request, form, minimum: .viewer)
            try await gate.sessions.delete(token: user.sessionToken)
            return ConsoleResponse.redirect("/console/sign-in", headers: [.setCookie: gate.signOutCookie])
        }
        group.get("assets/console.css") { _, _ in ConsoleAssets.response(ConsoleAssets.css, type: "text/css") }
        group.get("assets/console.js") { _, _ in ConsoleAssets.response(ConsoleAssets.script, type: "text/javascript") }
    }
}

/// Adds the console's routes under `/console`.
func addConsoleRoutes<Context: APIRequestContext>(to router: Router<Context>, console: ConsoleDependencies) {
    let group = router.group("console").add(middleware: DependencyErrorMiddleware<Context>())
    ConsoleSessionRoutes<Context>(console: console).add(to: group)
    ConsoleScenarioRoutes<Context>(console: console).add(to: group)
    ConsoleEditRoutes<Context>(console: console).add(to: group)
    ConsoleCustomerRoutes<Context>(console: console).add(to: group)
    ConsoleSimulatorRoutes<Context>(console: console).add(to: group)
    ConsolePolicyRoutes<Context>(console: console).add(to: group)
}

enum ConsolePath {
    /// The scenario id of a console route, checked like the admin API checks it.
    static func scenarioId(_ context: some RequestContext) throws(ConsoleError) -> String {
        do {
            return try AdminPath.scenarioId(context)
        } catch {
            throw ConsoleError(error)
        }
    }

    /// What a page says after an action sent the browser there (`?notice=paused`): fixed texts
    /// only, nothing from the query is shown.
    static func notice(_ request: Request) -> String? {
        let version = request.uri.queryParameters.get("version").flatMap { Int($0) }
        switch request.uri.queryParameters.get("notice") {
        case "deployed": return "Version \(version ?? 0) is deployed; running engines pick it up within seconds."
        case "unchanged": return "Version \(version ?? 0) was already deployed with this content; nothing changed."
        case "paused": return "Paused: no new entries; running instances go on."
        case "resumed": return "Resumed: new entries are taken again."
        case "archived": return "Archived: running instances finish, nobody new enters."
        case "locked": return "You hold the edit lock."
        case "unlocked": return "The edit lock is released."
        default: return nil
        }
    }
}

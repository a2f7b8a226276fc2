import Foundation
import Hummingbird

/// `GET /console/policy` (viewer): the contact policy in force and today's suppressions and
/// deferrals from the message log (since 00:00 UTC).
struct ConsolePolicyRoutes<Context: APIRequestContext>: Sendable {
    let console: ConsoleDependencies

    func add(to group: RouterGroup<Context>) {
        let gate = console.gate
        group.get("policy") { request, _ in
            let user = try await gate.page(request)
            let now = Date()
            let today = try await console.suppressions.counts(
                from: ConsoleFormat.startOfToday(now), to: now.addingTimeInterval(1))
            return ConsoleResponse.page(ContactPolicyPage.render(console.policy, today: today, user: user))
        }
    }
}

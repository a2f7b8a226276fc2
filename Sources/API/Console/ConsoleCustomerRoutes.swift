import SharedStores
import Foundation
import Hummingbird

/// Customers in the console:
/// - `GET /console/customers?id=` (viewer): look a customer up: profile, running instances with
///   their current step, messages with their status history, the event timeline (30 days);
/// - `GET /console/customers/erase?id=` (admin): what an erase deletes, and a form to confirm it
///   by typing the id again;
/// - `POST /console/customers/erase` (admin; fields `id`, `confirm`): erases (`CustomerEraser`,
///   audited by a digest of the id) and shows what went;
/// - `POST /console/customers/held-message` (publisher; fields `id`, `message`, `action`:
///   `resend`, `mark-sent` or `drop`): a held message's way out (`HeldMessageActions`, audited),
///   back to the customer's page.
struct ConsoleCustomerRoutes<Context: APIRequestContext>: Sendable {
    let console: ConsoleDependencies

    func add(to group: RouterGroup<Context>) {
        let gate = console.gate
        let customers = console.customers
        let held = console.held
        group.get("customers") { request, _ in
            let user = try await gate.page(request)
            guard let id = try Self.customerId(try ConsoleForm.parse(request.uri.query ?? "")["id"]) else {
                return ConsoleResponse.page(CustomerPage.render(nil, user: user))
            }
            let now = Date()
            async let stored = customers.stored(id)
            async let messages = customers.messages.messages(
                customerId: id, before: nil, limit: CustomerPage.messageLimit)
            async let timeline = customers.timeline.entries(
                customerId: id, from: now.addingTimeInterval(-Double(CustomerPage.timelineDays) * 86_400),
                to: now.addingTimeInterval(1),
                limit: CustomerPage.timelineLimit)
            let model = CustomerPage.Model(
                id: id, stored: try await stored, messages: try await messages, timeline: try await timeline)
            return ConsoleResponse.page(CustomerPage.render(model, user: user))
        }
        group.get("customers/erase") { request, _ in
            let user = try await gate.page(request, minimum: .admin)
            guard let id = try Self.customerId(try ConsoleForm.parse(request.uri.query ?? "")["id"]) else {
                throw ConsoleError(.badRequest, "name the customer to erase (?id=)")
            }
            return ConsoleResponse.page(CustomerErasePage.confirm(id: id, user: user))
        }
        group.post("customers/erase") { request, context in
            let form = try await ConsoleForm.read(request, limit: 4096)
            let user = try await gate.form(request, form, minimum: .admin)
            guard let id = try Self.customerId(form["id"]) else {
                throw ConsoleError(.badRequest, "the form names no customer; start again from the customer's page")
            }
            guard form["confirm"]?.trimmingCharacters(in: .whitespaces) == id else {
                return ConsoleResponse.page(
                    CustomerErasePage.confirm(
                        id: id, user: user, error: "The id you typed is not this customer's; nothing was erased."),
                    status: .unprocessableContent)
            }
            let summary = try await customers.eraser.erase(id, actor: user.key.name)
            context.logger.info(
                "customer erased from the console", metadata: [APILogKeys.apiKeyName: "\(user.key.name)"])
            return ConsoleResponse.page(CustomerErasePage.done(id: id, summary: summary, user: user))
        }
        group.post("customers/held-message") { request, _ in
            let form = try await ConsoleForm.read(request, limit: 4096)
            let user = try await gate.form(request, form, minimum: .publisher)
            guard let id = try Self.customerId(form["id"]), let message = form["message"], !message.isEmpty else {
                throw ConsoleError(.badRequest, "the form names no message; start again from the customer's page")
            }
            do {
                switch form["action"] {
                case "resend": _ = try await held.resend(message, actor: user.key.name)
                case "mark-sent": _ = try await held.markSent(message, actor: user.key.name)
                case "drop": _ = try await held.drop(message, actor: user.key.name)
                default: throw ConsoleError(.badRequest, "action must be resend, mark-sent or drop")
                }
            } catch let error as HeldMessageError {
                throw ConsoleError(error.code == .unknownMessage ? .notFound : .conflict, error.description)
            } catch let problem as ProblemDetails {
                throw ConsoleError(problem)
            }
            return ConsoleResponse.redirect("/console/customers?id=\(ConsoleFormat.query(id))")
        }
    }

    /// The id of a form or query, as the admin API takes it (1 to 256 characters); nil when absent.
    static func customerId(_ text: String?) throws(ConsoleError) -> String? {
        guard let id = text?.trimmingCharacters(in: .whitespaces), !id.isEmpty else { return nil }
        guard id.count <= 256 else { throw ConsoleError(.badRequest, "a customer id is at most 256 characters") }
        return id
    }
}

import EngineCore
import Foundation
import SharedStores

/// `/console/customers`: a search field, and for an id what is known about the customer: the
/// profile and running instances (the engine's state), messages with their status history (the
/// message log), the event timeline; admins are offered the erase, publishers the ways out of
/// `held` for a held message (resend, mark sent, drop).
enum CustomerPage {
    struct Model: Sendable {
        var id: String
        /// Nil when the engine has no state for the id.
        var stored: StoredCustomer?
        var messages: [MessageHistoryReader.MessageView]
        var timeline: [CustomerTimelineEntry]
    }

    static let messageLimit = 50
    static let timelineLimit = 100
    static let timelineDays = 30

    static func render(_ model: Model?, user: ConsoleUser) -> HTML {
        let search: HTML = """
            <h1>Customers</h1>
            <form class="search" method="get" action="/console/customers" role="search">
            <label for="customer-id">Customer id</label>
            <div class="actions"><input type="text" id="customer-id" name="id" value="\(model?.id ?? "")" required maxlength="256" autocomplete="off" spellcheck="false">
            <button type="submit" class="primary">Look up</button></div>
            </form>
            """
        guard let model else { return ConsoleLayout.page(title: "Customers", user: user, body: search) }
        let known = model.stored != nil || !model.messages.isEmpty || !model.timeline.isEmpty
        let body: HTML = """
            \(search)
            <h2 id="customer-heading">\(model.id)</h2>
            \(merged(model))
            \(known ? details(model, user: user) : "<p role=\"status\">Nothing is known about this id: no engine state, no messages, no events in the last \(timelineDays) days.</p>")
            \(user.may(.admin) && known ? "<p><a class=\"button danger\" href=\"/console/customers/erase?id=\(ConsoleFormat.query(model.id))\">Erase this customer…</a></p>" as HTML : .empty)
            """
        return ConsoleLayout.page(title: "Customer \(model.id)", user: user, body: body)
    }

    private static func merged(_ model: Model) -> HTML {
        guard let into = model.stored?.mergedInto else { return .empty }
        return """
            <p class="notice" role="status">This anonymous id was merged into <a href="/console/customers?id=\(ConsoleFormat.query(into))">\(into)</a>; its profile and instances live there.</p>
            """
    }

    private static func details(_ model: Model, user: ConsoleUser) -> HTML {
        """
        <section aria-labelledby="profile-heading">
        <h3 id="profile-heading">Profile</h3>
        \(profile(model.stored?.state?.profile ?? [:]))
        </section>
        <section aria-labelledby="instances-heading">
        <h3 id="instances-heading">Running scenarios</h3>
        \(instances(model.stored?.state?.instances ?? []))
        </section>
        <section aria-labelledby="messages-heading">
        <h3 id="messages-heading">Messages</h3>
        \(messages(model.messages, customer: model.id, user: user))
        </section>
        <section aria-labelledby="timeline-heading">
        <h3 id="timeline-heading">Events</h3>
        \(timeline(model.timeline))
        </section>
        """
    }

    private static func profile(_ profile: [String: Value]) -> HTML {
        guard !profile.isEmpty else { return "<p class=\"muted\">No profile attributes.</p>" }
        let rows: [HTML] = profile.keys.sorted().map { key in
            "<tr><th scope=\"row\">\(key)</th><td>\(profile[key]?.plainText ?? "")</td></tr>"
        }
        return "<div class=\"scroll\"><table class=\"list\"><tbody>\(rows)</tbody></table></div>"
    }

    private static func instances(_ instances: [InstanceState]) -> HTML {
        guard !instances.isEmpty else { return "<p class=\"muted\">In no scenario right now.</p>" }
        let rows: [HTML] = instances.map { instance in
            """
            <tr><th scope="row"><a href="/console/scenarios/\(instance.scenario)">\(instance.scenario)</a> <span class="muted">v\(instance.version)</span></th>\
            <td><strong>\(instance.step)</strong></td><td>\(ConsoleFormat.time(Date(instance.startedAt)))</td>\
            <td>\(instance.timer.map { ConsoleFormat.time(Date($0.at)) } ?? "—")</td><td>\(instance.key ?? "")</td></tr>
            """
        }
        return """
            <div class="scroll"><table class="list">
            <thead><tr><th scope="col">Scenario</th><th scope="col">Current step</th><th scope="col">Started</th>\
            <th scope="col">Waiting until</th><th scope="col">Key</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    private static func messages(
        _ messages: [MessageHistoryReader.MessageView], customer: String, user: ConsoleUser
    ) -> HTML {
        guard !messages.isEmpty else { return "<p class=\"muted\">No messages.</p>" }
        let rows: [HTML] = messages.map { message in
            let history: [HTML] = message.history.map { status in
                let extra = [status.reason, status.connector].compactMap { $0 }.joined(separator: ", ")
                return
                    "<li>\(status.status)\(extra.isEmpty ? "" : " (\(extra))") <span class=\"muted\">\(ConsoleFormat.time(status.at))</span></li>"
            }
            return """
                <tr><td>\(ConsoleFormat.time(message.createdAt))</td>\
                <td><a href="/console/scenarios/\(message.scenario)">\(message.scenario)</a> <span class="muted">v\(message.scenarioVersion) · \(message.step)</span></td>\
                <td>\(message.channel)<br><span class="muted">\(message.template)</span></td>\
                <td><span class="status">\(message.status)</span>\(message.reason.map { " <span class=\"muted\">\($0)</span>" as HTML } ?? .empty)\(message.status == "held" && user.may(.publisher) ? heldActions(message.messageId, customer: customer, user: user) : .empty)</td>\
                <td><ol class="history">\(history)</ol></td></tr>
                """
        }
        return """
            <div class="scroll"><table class="list">
            <caption>Newest first; at most \(messageLimit)</caption>
            <thead><tr><th scope="col">Decided</th><th scope="col">Scenario · step</th><th scope="col">Channel</th>\
            <th scope="col">Status</th><th scope="col">Status history</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    private static func timeline(_ entries: [CustomerTimelineEntry]) -> HTML {
        guard !entries.isEmpty else { return "<p class=\"muted\">No events in the last \(timelineDays) days.</p>" }
        let rows: [HTML] = entries.map { entry in
            let fields = entry.kind == .identify ? entry.traits : entry.properties
            let name = entry.kind == .identify ? "identify" : entry.name.isEmpty ? entry.kind.rawValue : entry.name
            return """
                <tr><td>\(ConsoleFormat.time(entry.at))</td><td>\(name)</td><td>\(entry.source.rawValue)</td>\
                <td><code>\(fields.isEmpty ? "" : Value.object(fields).plainJSON.jsonText)</code></td></tr>
                """
        }
        return """
            <div class="scroll"><table class="list">
            <caption>Events and delivery feedback, newest first, last \(timelineDays) days; at most \(timelineLimit)</caption>
            <thead><tr><th scope="col">At</th><th scope="col">Event</th><th scope="col">From</th><th scope="col">Properties or traits</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    /// Resend, mark sent, drop: one form, the button says which (`ConsoleCustomerRoutes`).
    private static func heldActions(_ messageId: String, customer: String, user: ConsoleUser) -> HTML {
        """
        <form class="inline" method="post" action="/console/customers/held-message">\(ConsoleLayout.csrfField(user))\
        <input type="hidden" name="id" value="\(customer)"><input type="hidden" name="message" value="\(messageId)">\
        <button type="submit" name="action" value="resend">Resend</button>\
        <button type="submit" name="action" value="mark-sent">Mark sent</button>\
        <button type="submit" name="action" value="drop" class="danger">Drop</button></form>
        """
    }
}

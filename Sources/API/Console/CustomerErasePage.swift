/// Erasing a customer from the console (admin): a confirmation page that says what goes and asks
/// for the id to be typed again, and the page that says what was deleted.
enum CustomerErasePage {
    static func confirm(id: String, user: ConsoleUser, error: String? = nil) -> HTML {
        let body: HTML = """
            <h1>Erase customer <span class="muted">\(id)</span></h1>
            <div class="card narrow">
            <p>This deletes everything Nudge keeps about this customer and cannot be undone: the engine's state
            (profile, running scenarios, pending timers, content slots, outboxes), the dispatch ledger, the message
            log with its status history, the event timeline, and the same for anonymous ids merged into it.
            The audit log records the erase with a digest of the id only.</p>
            \(error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" as HTML } ?? .empty)
            <form method="post" action="/console/customers/erase">
            \(ConsoleLayout.csrfField(user))
            <input type="hidden" name="id" value="\(id)">
            <label for="confirm">Type the customer id to confirm</label>
            <input type="text" id="confirm" name="confirm" required autocomplete="off" spellcheck="false" aria-describedby="confirm-help">
            <p class="help" id="confirm-help">Exactly: <code>\(id)</code></p>
            <div class="actions"><button type="submit" class="danger">Erase for good</button>
            <a href="/console/customers?id=\(ConsoleFormat.query(id))">Cancel</a></div>
            </form>
            </div>
            """
        return ConsoleLayout.page(title: "Erase customer", user: user, body: body)
    }

    static func done(id: String, summary: CustomerEraser.Summary, user: ConsoleUser) -> HTML {
        let counts: [(String, Int)] = [
            ("Redis keys", summary.redisKeys), ("pending timers", summary.timers),
            ("running instances", summary.instances), ("dispatch ledger entries", summary.ledgerEntries),
            ("anonymous ids", summary.anonymousIds), ("messages", summary.messages),
            ("message statuses", summary.messageStatuses), ("timeline events", summary.timelineEvents),
        ]
        let rows: [HTML] = counts.map { "<tr><th scope=\"row\">\($0.0)</th><td class=\"num\">\($0.1)</td></tr>" }
        let body: HTML = """
            <h1>Customer erased</h1>
            <p class="notice" role="status">\(id) is erased. Erasing again is safe and finds nothing.</p>
            <div class="scroll"><table class="list narrow"><caption>What was deleted</caption><tbody>\(rows)</tbody></table></div>
            <p><a href="/console/customers">Look up another customer</a></p>
            """
        return ConsoleLayout.page(title: "Customer erased", user: user, body: body)
    }
}

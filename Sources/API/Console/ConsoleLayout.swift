/// The frame of every console page: head, navigation with who is signed in and the sign-out
/// form, the main content, the style sheet and the one script.
enum ConsoleLayout {
    static func page(title: String, user: ConsoleUser?, body: HTML, notice: String? = nil) -> HTML {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Nudge console</title>
        <link rel="stylesheet" href="/console/assets/console.css">
        \(user.map { "<meta name=\"csrf-token\" content=\"\($0.csrfToken)\">" as HTML } ?? .empty)
        <script src="/console/assets/console.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
        <a class="brand" href="/console/scenarios">Nudge</a>
        \(user.map(navigation) ?? .empty)
        </header>
        <main id="main" tabindex="-1">
        \(notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" as HTML } ?? .empty)
        \(body)
        </main>
        </body>
        </html>
        """
    }

    private static func navigation(_ user: ConsoleUser) -> HTML {
        """
        <nav aria-label="Console">
        <a href="/console/scenarios">Scenarios</a>
        <a href="/console/customers">Customers</a>
        <a href="/console/simulate">Try before launch</a>
        <a href="/console/policy">Contact policy</a>
        </nav>
        <form class="who" method="post" action="/console/sign-out">
        <span>\(user.key.name) <span class="role">\(user.key.role.rawValue)</span></span>
        \(csrfField(user))
        <button type="submit">Sign out</button>
        </form>
        """
    }

    /// The hidden field every state-changing form carries.
    static func csrfField(_ user: ConsoleUser) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(user.csrfToken)\">"
    }

    /// A one-button form posting to `action` (pause, resume, lock, ...).
    static func actionButton(_ label: String, action: String, user: ConsoleUser, style: String = "") -> HTML {
        """
        <form class="inline" method="post" action="\(action)">\(csrfField(user))<button type="submit" class="\(style)">\(label)</button></form>
        """
    }
}

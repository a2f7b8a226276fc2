/// The sign-in page: one field for an API key (`nudge keys create`).
enum SignInPage {
    static func render(error: String? = nil) -> HTML {
        let body: HTML = """
            <h1>Sign in</h1>
            <form class="card narrow" method="post" action="/console/sign-in">
            <label for="key">API key</label>
            <input id="key" name="key" type="password" autocomplete="current-password" required
              placeholder="nk_…" aria-describedby="key-help\(error == nil ? "" : " key-error")" autofocus>
            <p id="key-help" class="help">A key from <code>nudge keys create</code>. Your role (viewer, editor,
            publisher, admin) decides what the console offers.</p>
            \(error.map { "<p id=\"key-error\" class=\"error\" role=\"alert\">\($0)</p>" as HTML } ?? .empty)
            <button type="submit">Sign in</button>
            </form>
            """
        return ConsoleLayout.page(title: "Sign in", user: nil, body: body)
    }
}

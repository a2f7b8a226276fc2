import Hummingbird

/// A console request that cannot be answered as asked, shown to people as a small HTML page
/// with the status and what was wrong (thrown from console handlers; Hummingbird renders it).
struct ConsoleError: Error, HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The console's page for a problem of the admin logic it calls (a refused deploy, ...).
    init(_ problem: ProblemDetails) {
        self.init(problem.status, problem.detail)
    }

    var description: String { "\(status.code) \(message)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: HTML = """
            <h1>\(status.reasonPhrase)</h1>
            <p role="alert">\(message)</p>
            <p><a href="/console/scenarios">Back to the scenarios</a></p>
            """
        return ConsoleResponse.page(
            ConsoleLayout.page(title: status.reasonPhrase, user: nil, body: body), status: status)
    }
}

/// Sends the browser elsewhere (303 See Other, so a form POST is followed by a GET): to the sign-in
/// page when there is no session, to the page an action returns to otherwise.
struct ConsoleRedirect: Error, HTTPResponseError, Sendable {
    var location: String

    var status: HTTPResponse.Status { .seeOther }

    static let signIn = ConsoleRedirect(location: "/console/sign-in")

    func response(from request: Request, context: some RequestContext) throws -> Response {
        ConsoleResponse.redirect(location)
    }
}

/// How console responses are made: HTML with the headers every page carries.
enum ConsoleResponse {
    /// No script or style from anywhere but the console itself, no framing, no caching of pages
    /// that show a signed-in person's data.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xContentTypeOptions: "nosniff",
        .cacheControl: "no-store",
    ]

    static func page(_ html: HTML, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = securityHeaders
        fields[.contentType] = "text/html; charset=utf-8"
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: html.description)))
    }

    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var fields = securityHeaders
        fields[.location] = location
        fields.append(contentsOf: headers)
        return Response(status: .seeOther, headers: fields)
    }
}

import Foundation
import HTTPTypes
import Hummingbird

/// Who is signed in to the console: the API key the session acts as, the session's CSRF token,
/// and its cookie token (to sign out).
struct ConsoleUser: Sendable {
    var key: APIKey
    var csrfToken: String
    var sessionToken: String

    func may(_ role: APIRole) -> Bool { key.role >= role }
}

/// Sessions of the console: signing in with an API key, finding the session of a request, and
/// the checks every state-changing form passes (same origin, the session's CSRF token, the role).
/// The key is read once, at sign-in; afterwards the browser holds only an HttpOnly, SameSite=Strict
/// cookie with a random session token, which page scripts cannot read.
struct ConsoleGate: Sendable {
    static let cookieName = "nudge_console"

    let sessions: any ConsoleSessionStore
    let keys: any APIKeyStore
    let cache: APIKeyCache
    let ttl: Duration
    let secureCookie: Bool

    init(
        sessions: any ConsoleSessionStore, keys: any APIKeyStore, keyCacheTTL: Duration, ttl: Duration,
        secureCookie: Bool
    ) {
        self.sessions = sessions
        self.keys = keys
        self.cache = APIKeyCache(ttl: keyCacheTTL)
        self.ttl = ttl
        self.secureCookie = secureCookie
    }

    /// Checks `secret` and opens a session for it: the `Set-Cookie` value to answer with and the
    /// user. Nil when the key is unknown or revoked.
    func signIn(secret: String) async throws -> (cookie: String, user: ConsoleUser)? {
        let secret = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard secret.hasPrefix(APIKeySecret.prefix) else { return nil }
        let hash = APIKeySecret.hash(secret)
        guard let key = try await keys.key(hash: hash), key.isActive else { return nil }
        let token = APIKeySecret.randomToken()
        let csrf = APIKeySecret.randomToken()
        try await sessions.save(ConsoleSession(keyHash: hash, csrfToken: csrf), token: token, ttl: ttl)
        return (
            cookie(value: token, maxAge: Int(ttl.components.seconds)),
            ConsoleUser(key: key, csrfToken: csrf, sessionToken: token)
        )
    }

    /// The `Set-Cookie` value that removes the session cookie.
    var signOutCookie: String { cookie(value: "", maxAge: 0) }

    /// The signed-in user of `request`; nil without a session, when it expired, or when its key
    /// was revoked since (within the key cache's lifetime).
    func user(_ request: Request) async throws -> ConsoleUser? {
        guard let token = request.cookies[Self.cookieName]?.value, !token.isEmpty, token.count <= 100,
            let session = try await sessions.session(token: token)
        else { return nil }
        let key: APIKey?
        if let cached = cache.lookup(session.keyHash) {
            key = cached
        } else {
            key = try await keys.key(hash: session.keyHash)
            cache.store(session.keyHash, key)
        }
        guard let key, key.isActive else { return nil }
        return ConsoleUser(key: key, csrfToken: session.csrfToken, sessionToken: token)
    }

    /// The user of a page request; without a session the browser goes to the sign-in page.
    func page(_ request: Request, minimum: APIRole = .viewer) async throws -> ConsoleUser {
        guard let user = try await user(request) else { throw ConsoleRedirect.signIn }
        try Self.require(minimum, of: user)
        return user
    }

    /// The user of a form post: signed in, from a page of this server (Origin), with the
    /// session's CSRF token in the form's `csrf` field, and with at least `minimum` role.
    func form(_ request: Request, _ form: ConsoleForm, minimum: APIRole) async throws -> ConsoleUser {
        try Self.checkOrigin(request)
        guard let user = try await user(request) else { throw ConsoleRedirect.signIn }
        guard let token = form["csrf"], Self.constantTimeEqual(token, user.csrfToken) else {
            throw ConsoleError(.forbidden, "the form is out of date or did not come from the console; reload the page")
        }
        try Self.require(minimum, of: user)
        return user
    }

    /// A script's request (JSON): the CSRF token comes in the `X-CSRF-Token` header.
    func script(_ request: Request, minimum: APIRole) async throws -> ConsoleUser {
        try Self.checkOrigin(request)
        guard let user = try await user(request) else {
            throw ConsoleError(.unauthorized, "sign in again")
        }
        if request.method != .get {
            guard let name = HTTPField.Name("X-CSRF-Token"), let token = request.headers[name],
                Self.constantTimeEqual(token, user.csrfToken)
            else { throw ConsoleError(.forbidden, "missing or wrong X-CSRF-Token") }
        }
        try Self.require(minimum, of: user)
        return user
    }

    static func require(_ minimum: APIRole, of user: ConsoleUser) throws(ConsoleError) {
        guard user.may(minimum) else {
            throw ConsoleError(
                .forbidden, "this needs the \(minimum.rawValue) role; you are signed in as \(user.key.role.rawValue)")
        }
    }

    /// Browsers send `Origin` on every POST; one naming another host is a cross-site request.
    static func checkOrigin(_ request: Request) throws(ConsoleError) {
        guard let origin = request.headers[.origin] else { return }
        let host = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
        guard let host, let authority = request.head.authority, host == authority else {
            throw ConsoleError(.forbidden, "the request came from another site (\(origin))")
        }
    }

    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let (a, b) = (Array(lhs.utf8), Array(rhs.utf8))
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private func cookie(value: String, maxAge: Int) -> String {
        "\(Self.cookieName)=\(value); Path=/console; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
            + (secureCookie ? "; Secure" : "")
    }
}

extension APIKeySecret {
    /// 32 random bytes in base64url: session and CSRF tokens.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

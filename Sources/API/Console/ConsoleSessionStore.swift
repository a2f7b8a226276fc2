import NudgeRedis

/// A signed-in console session: which API key it acts as (by the key's SHA-256, never the
/// secret) and the token its forms must carry (CSRF).
struct ConsoleSession: Sendable, Equatable {
    var keyHash: String
    var csrfToken: String
}

/// Where console sessions live, by session token. One real implementation (Redis), shared by
/// every API process, so a session works whichever process a request reaches.
protocol ConsoleSessionStore: Sendable {
    func save(_ session: ConsoleSession, token: String, ttl: Duration) async throws
    /// The session of `token`; nil when there is none or it expired.
    func session(token: String) async throws -> ConsoleSession?
    func delete(token: String) async throws
}

/// Sessions as Redis strings `<prefix>:console-session:<SHA-256 of the token>` holding
/// `<key hash> <csrf token>`, expiring after the session's lifetime. The token itself is only in
/// the browser's cookie, so reading Redis does not give anyone a session.
struct RedisConsoleSessionStore: ConsoleSessionStore {
    let redis: RedisClient
    let keyPrefix: String

    func key(_ token: String) -> String { "\(keyPrefix):console-session:\(APIKeySecret.hash(token))" }

    func save(_ session: ConsoleSession, token: String, ttl: Duration) async throws {
        let seconds = max(1, Int(ttl.components.seconds))
        _ = try await redis.send("SET", key(token), "\(session.keyHash) \(session.csrfToken)", "EX", seconds)
    }

    func session(token: String) async throws -> ConsoleSession? {
        let reply = try await redis.send("GET", key(token))
        guard let value = reply.string else { return nil }
        let parts = value.split(separator: " ")
        guard parts.count == 2 else { return nil }
        return ConsoleSession(keyHash: String(parts[0]), csrfToken: String(parts[1]))
    }

    func delete(token: String) async throws {
        _ = try await redis.send("DEL", key(token))
    }
}

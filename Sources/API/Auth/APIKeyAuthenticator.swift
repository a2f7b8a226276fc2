import Hummingbird
import Synchronization

/// Authenticates `Authorization: Bearer nk_...` against the key store and puts the key on the
/// request context. Lookups (found or not) are cached for `ttl`, so a busy client costs one
/// PostgreSQL query per `ttl`, and a revoked key stops working within `ttl`.
public struct APIKeyAuthenticator<Context: APIRequestContext>: RouterMiddleware {
    private let store: any APIKeyStore
    private let cache: APIKeyCache
    private let metrics: APIMetrics

    public init(store: any APIKeyStore, ttl: Duration, metrics: APIMetrics = APIMetrics()) {
        self.store = store
        self.cache = APIKeyCache(ttl: ttl)
        self.metrics = metrics
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw ProblemDetails(kind: .unauthorized, detail: "send an API key as 'Authorization: Bearer nk_...'")
        }
        let secret = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        guard secret.hasPrefix(APIKeySecret.prefix) else {
            throw ProblemDetails(kind: .unauthorized, detail: "not a Nudge API key (they start with nk_)")
        }
        let hash = APIKeySecret.hash(secret)
        let key: APIKey?
        if let cached = cache.lookup(hash) {
            key = cached
        } else {
            do {
                key = try await store.key(hash: hash)
            } catch {
                context.logger.error("api key lookup failed", metadata: [APILogKeys.error: "\(error)"])
                throw ProblemDetails(kind: .unavailable, detail: "could not check the API key; try again")
            }
            cache.store(hash, key)
        }
        guard let key, key.isActive else {
            metrics.authFailure(kind: "api_key")
            throw ProblemDetails(kind: .unauthorized, detail: "unknown or revoked API key")
        }
        var context = context
        context.apiKey = key
        context.logger[metadataKey: APILogKeys.apiKeyName] = "\(key.name)"
        return try await next(request, context)
    }
}

/// Recent key lookups by secret hash, bounded in size (cleared when full: keys are few, and a flood
/// of random bearer tokens must not grow memory).
final class APIKeyCache: Sendable {
    private struct Entry {
        var key: APIKey?
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let ttl: Duration
    private let capacity = 10_000

    init(ttl: Duration) { self.ttl = ttl }

    /// `.some(nil)`: known not to exist; nil: not cached.
    func lookup(_ hash: String) -> APIKey?? {
        entries.withLock { entries in
            guard let entry = entries[hash], entry.expires > .now else { return nil }
            return .some(entry.key)
        }
    }

    func store(_ hash: String, _ key: APIKey?) {
        let expires = ContinuousClock.now + ttl
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(key: key, expires: expires)
        }
    }
}

/// Lets a request through only when its API key has at least `minimum` role. Goes after
/// `APIKeyAuthenticator`.
public struct RequireRole<Context: APIRequestContext>: RouterMiddleware {
    public let minimum: APIRole

    public init(_ minimum: APIRole) { self.minimum = minimum }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        _ = try context.requireRole(minimum)
        return try await next(request, context)
    }
}

extension APIRequestContext {
    /// The request's API key when its role is at least `minimum`; 401 when unauthenticated, 403 when
    /// the role is too low. For handlers whose routes share a group with lower requirements.
    public func requireRole(_ minimum: APIRole) throws(ProblemDetails) -> APIKey {
        guard let apiKey else {
            throw ProblemDetails(kind: .unauthorized, detail: "this route needs an API key")
        }
        guard apiKey.role >= minimum else {
            throw ProblemDetails(
                kind: .forbidden,
                detail: "this action needs the \(minimum.rawValue) role; key has \(apiKey.role.rawValue)")
        }
        return apiKey
    }
}

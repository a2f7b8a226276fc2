import Hummingbird

/// A request context that can carry the API key a request was authenticated with. The router the
/// API routes are added to must use such a context (`APIContext` is the ready-made one).
public protocol APIRequestContext: RequestContext {
    /// Set by `APIKeyAuthenticator` on authenticated routes; nil elsewhere.
    var apiKey: APIKey? { get set }
}

/// The request context of a Nudge HTTP server.
public struct APIContext: APIRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var apiKey: APIKey?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.apiKey = nil
    }
}

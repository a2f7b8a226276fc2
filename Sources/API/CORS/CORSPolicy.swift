import Hummingbird

/// Which browser origins may call the public endpoints (ingestion and content), and the answer to
/// their preflight requests. Origins are compared exactly; `*` allows any.
public struct CORSPolicy: Sendable {
    let origins: Set<String>
    let allowsAny: Bool
    static let allowedMethods = "GET, POST, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, X-Nudge-Site-Key"
    /// Browsers cache a preflight answer this long (seconds).
    static let maxAge = "600"

    public init(origins: [String]) {
        self.origins = Set(origins.filter { $0 != "*" })
        self.allowsAny = origins.contains("*")
    }

    func allows(_ origin: String) -> Bool { allowsAny || origins.contains(origin) }
}

/// Adds CORS headers for allowed origins, answers preflight (`OPTIONS` with
/// `Access-Control-Request-Method`) itself, and also decorates problem responses, so browser
/// code can read why a call failed.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: CORSPolicy

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = policy.allows(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else {
                throw ProblemDetails(kind: .forbidden, detail: "origin \(origin) is not allowed (api.cors_origins)")
            }
            var response = Response(status: .noContent)
            decorate(&response, origin: origin)
            response.headers[.accessControlAllowMethods] = CORSPolicy.allowedMethods
            response.headers[.accessControlAllowHeaders] = CORSPolicy.allowedHeaders
            response.headers[.accessControlMaxAge] = CORSPolicy.maxAge
            return response
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        if allowed { decorate(&response, origin: origin) }
        return response
    }

    private func decorate(_ response: inout Response, origin: String) {
        response.headers[.accessControlAllowOrigin] = policy.allowsAny ? "*" : origin
        response.headers[values: .vary].append("Origin")
    }
}

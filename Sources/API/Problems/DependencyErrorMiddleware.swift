import Hummingbird

/// Turns errors that are not already HTTP answers (a PostgreSQL or Redis failure) into a 503
/// problem, so clients always get problem+json. The error is logged (its description names the
/// operation, never query parameters), not shown to the client.
struct DependencyErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.error(
                "admin request failed",
                metadata: [APILogKeys.route: "\(context.endpointPath ?? "unmatched")", APILogKeys.error: "\(error)"])
            throw ProblemDetails(kind: .unavailable, detail: "a storage dependency failed; try again")
        }
    }
}

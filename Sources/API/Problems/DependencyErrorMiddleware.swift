import Hummingbird

/// Turns errors that are not already HTTP answers (a PostgreSQL or Redis failure) into a 503
/// problem, so clients always get problem+json. The error is logged (its description names the
/// operation, never query parameters), not shown to the client. A handler that has not answered
/// within `timeout` is cancelled and answered 503 too: while PostgreSQL is down its client waits
/// for a connection instead of failing, and a client would otherwise wait with it.
struct DependencyErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    var timeout: Duration = .seconds(5)

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await withoutActuallyEscaping(next) { next in
                // The task group ends (children cancelled) before the closure returns.
                nonisolated(unsafe) let handler = next
                return try await withThrowingTaskGroup(of: Response?.self) { group in
                    group.addTask { try await handler(request, context) }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        return nil
                    }
                    defer { group.cancelAll() }
                    guard let first = try await group.next(), let response = first else {
                        throw ProblemDetails(
                            kind: .unavailable, detail: "a storage dependency did not answer; try again")
                    }
                    return response
                }
            }
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

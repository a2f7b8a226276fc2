import Hummingbird
import Metrics

/// The API's metrics (swift-metrics; rendered by the process's Prometheus exporter).
public struct APIMetrics: Sendable {
    public init() {}

    /// Requests by route template, method and status.
    func request(route: String, method: HTTPRequest.Method, status: HTTPResponse.Status) {
        Counter(
            label: "nudge_api_requests_total",
            dimensions: [("route", route), ("method", method.rawValue), ("status", String(status.code))]
        ).increment()
    }

    func eventsAccepted(_ count: Int, source: String) {
        Counter(label: "nudge_api_ingest_events_total", dimensions: [("outcome", "accepted"), ("source", source)])
            .increment(by: count)
    }

    /// `reason`: a dead-letter code (`bad_timestamp`, `too_large`, ...) or `produce_failed`.
    func eventRejected(reason: String) {
        Counter(label: "nudge_api_ingest_events_total", dimensions: [("outcome", "rejected"), ("reason", reason)])
            .increment()
    }

    func contentLatency(nanoseconds: Int64) {
        Timer(label: "nudge_api_content_duration_seconds").recordNanoseconds(nanoseconds)
    }

    /// `outcome`: produced, dropped (buffer full), failed (Kafka refused).
    func impressions(_ outcome: String, count: Int = 1) {
        Counter(label: "nudge_api_impressions_total", dimensions: [("outcome", outcome)]).increment(by: count)
    }

    /// `kind`: write_key, site_key, api_key.
    func authFailure(kind: String) {
        Counter(label: "nudge_api_auth_failures_total", dimensions: [("kind", kind)]).increment()
    }
}

/// Counts every API request by route template (not the raw path, which would hold ids) and status.
struct APIMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: APIMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.request(route: context.endpointPath ?? "unmatched", method: request.method, status: response.status)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            metrics.request(route: context.endpointPath ?? "unmatched", method: request.method, status: status)
            throw error
        }
    }
}

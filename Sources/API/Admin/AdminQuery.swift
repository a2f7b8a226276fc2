import EngineCore
import Foundation
import Hummingbird

/// Query parameters of the admin routes: time ranges and page sizes, with 400 problems that
/// name the parameter.
enum AdminQuery {
    /// `from` and `to` (ISO-8601); `to` defaults to now and `from` to `to - defaultSpan`.
    /// `from` must be before `to` and the range at most `maxSpan` long.
    static func timeRange(
        _ request: Request, defaultSpan: Duration, maxSpan: Duration, now: Date = Date()
    ) throws(ProblemDetails) -> (from: Date, to: Date) {
        let to = try date(request, "to") ?? now
        let from = try date(request, "from") ?? to.addingTimeInterval(-seconds(defaultSpan))
        guard from < to else { throw ProblemDetails(kind: .invalidRequest, detail: "from must be before to") }
        guard to.timeIntervalSince(from) <= seconds(maxSpan) else {
            throw ProblemDetails(
                kind: .invalidRequest, detail: "the range may span at most \(Int(seconds(maxSpan) / 86_400)) days")
        }
        return (from, to)
    }

    static func date(_ request: Request, _ name: String) throws(ProblemDetails) -> Date? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let instant = ISO8601.parse(text) else {
            throw ProblemDetails(
                kind: .invalidRequest, detail: "\(name) must be an ISO-8601 date-time such as 2026-05-01T00:00:00Z")
        }
        return Date(timeIntervalSince1970: Double(instant.milliseconds) / 1000)
    }

    /// `limit`: 1 ... `maximum`, `fallback` when absent.
    static func limit(_ request: Request, fallback: Int, maximum: Int) throws(ProblemDetails) -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return fallback }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw ProblemDetails(kind: .invalidRequest, detail: "limit must be an integer from 1 to \(maximum)")
        }
        return value
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

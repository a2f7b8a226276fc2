import NudgeRecords
import ProcessSupport
import EngineCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `GET /v1/content?customer_id=...&slots=home_hero,sidebar` (or `anonymous_id=`): what each slot
/// shows this visitor. A slot answers its personalized content (live, from the engine), else the
/// configured default, else null; a slot name nobody knows is simply null, so a page can ask for a
/// slot before any scenario fills it. Authenticated by a site's public key (`X-Nudge-Site-Key` or
/// `?key=`). Each personalized slot shown is recorded as a `Content Viewed` event, off the
/// response path.
struct ContentRoutes<Context: RequestContext>: Sendable {
    let config: APIConfig
    let reader: ContentSlotReader
    let impressions: ImpressionRecorder
    let metrics: APIMetrics

    /// Always a valid field name; optional only because `HTTPField.Name` validates at run time.
    static var siteKeyHeader: HTTPField.Name? { HTTPField.Name("X-Nudge-Site-Key") }

    func add(to group: RouterGroup<Context>) {
        let sites = Dictionary(config.siteKeys.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
        group.get("content") { request, context in
            let start = ContinuousClock.now
            defer {
                let elapsed = ContinuousClock.now - start
                metrics.contentLatency(
                    nanoseconds: elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds
                        / 1_000_000_000)
            }
            return try await content(request, context: context, sites: sites)
        }
    }

    private func content(_ request: Request, context: Context, sites: [String: String]) async throws -> Response {
        let query = request.uri.queryParameters
        let headerKey = Self.siteKeyHeader.flatMap { request.headers[$0] }
        guard let siteKey = headerKey ?? query["key"].map(String.init),
            let site = sites[siteKey]
        else {
            metrics.authFailure(kind: "site_key")
            throw ProblemDetails(kind: .unauthorized, detail: "send a site key as X-Nudge-Site-Key or ?key=")
        }
        let customerId = query["customer_id"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let anonymousId = query["anonymous_id"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        guard let id = customerId ?? anonymousId else {
            throw ProblemDetails(kind: .invalidRequest, detail: "give customer_id or anonymous_id")
        }
        let slots = try Self.slotNames(query["slots"].map(String.init), limit: config.maxContentSlots)

        let now = Timestamp.wallClock()
        let found: ContentSlotReader.Result
        do {
            found = try await reader.read(customerId: id, slots: slots, now: now)
        } catch {
            context.logger.error(
                "content read failed", metadata: [APILogKeys.customerId: "\(id)", APILogKeys.error: "\(error)"])
            throw ProblemDetails(kind: .unavailable, detail: "content is unavailable; show your defaults")
        }

        var answer: [String: Value] = [:]
        var shown: [(slot: String, content: SlotContent)] = []
        for slot in slots {
            if let content = found.contents[slot] {
                shown.append((slot, content))
                var block: [String: Value] = [
                    "source": "personalized", "content": Value.object(content.payload).publicJSON,
                    "scenario": .string(content.scenario), "step": .string(content.step),
                ]
                if let expiresAt = content.expiresAt { block["expires_at"] = .string(ISO8601.format(expiresAt)) }
                answer[slot] = .object(block)
            } else if let fallback = config.contentDefaults[slot] {
                answer[slot] = ["source": "default", "content": fallback.publicJSON]
            } else {
                answer[slot] = .null
            }
        }
        // A request by anonymous id stays anonymous in its impressions unless it merged into a known customer.
        let known = customerId != nil || found.aliasedFrom != nil
        impressions.record(
            customerId: found.customerId, anonymousId: customerId == nil ? anonymousId : nil, known: known,
            shown: shown, site: site)

        var response = JSONResponse.value(.object(["slots": .object(answer)]))
        // Personalized: never cached by browsers or CDNs.
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The comma-separated slot names, trimmed and without repeats, 1...limit of them.
    static func slotNames(_ parameter: String?, limit: Int) throws(ProblemDetails) -> [String] {
        var names: [String] = []
        for part in (parameter ?? "").utf8.split(separator: UInt8(ascii: ",")) {
            // Spaces and tabs around a name; Foundation's trimming cost more than the Redis read.
            let name = part.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }
            guard !name.isEmpty else { continue }
            let text = String(decoding: name.reversed(), as: UTF8.self)
            if !names.contains(text) { names.append(text) }
            guard names.count <= limit else {
                throw ProblemDetails(
                    kind: .invalidRequest, detail: "more than \(limit) slots asked; at most \(limit) per request")
            }
        }
        guard !names.isEmpty else {
            throw ProblemDetails(kind: .invalidRequest, detail: "give slots=name1,name2")
        }
        return names
    }
}

extension Value {
    /// Instants and spans as JSON clients read them (ISO-8601 strings, milliseconds).
    var publicJSON: Value {
        switch self {
        case .timestamp(let instant): .string(ISO8601.format(instant))
        case .span(let span): .int(span.milliseconds)
        case .list(let items): .list(items.map(\.publicJSON))
        case .object(let fields): .object(fields.mapValues(\.publicJSON))
        default: self
        }
    }
}

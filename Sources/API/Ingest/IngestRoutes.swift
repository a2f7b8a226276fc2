import NudgeRecords
import ProcessSupport
import EngineCore
import Foundation
import Hummingbird
import Ingest
import Logging
import NudgeKafka

/// Segment-compatible ingestion: `/v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen` and
/// `/v1/batch`. An event is answered `{"success":true}` only after Kafka acknowledged it (the
/// producer is idempotent with acks=all), so a 200 means the event is durable. A batch is all or
/// nothing: when any item is invalid, none is produced and the problem lists every failed index.
struct IngestRoutes<Context: RequestContext>: Sendable {
    let config: APIConfig
    let eventsTopic: String
    let producer: KafkaProducer
    let metrics: APIMetrics

    static var singleEventTypes: [String] { ["track", "identify", "page", "screen"] }
    static var sourceHeader: String { "nudge-ingest-source" }

    func add(to group: RouterGroup<Context>) {
        let authenticator = WriteKeyAuthenticator(writeKeys: config.writeKeys)
        let envelope = SegmentEnvelope(decoder: EventDecoder(maxEventBytes: config.maxEventBytes))
        for type in Self.singleEventTypes {
            group.post(RouterPath(type)) { request, context in
                try await single(
                    request, context: context, type: type, authenticator: authenticator, envelope: envelope)
            }
        }
        group.post("batch") { request, context in
            try await batch(request, context: context, authenticator: authenticator, envelope: envelope)
        }
    }

    private func single(
        _ request: Request, context: Context, type: String, authenticator: WriteKeyAuthenticator,
        envelope: SegmentEnvelope
    ) async throws -> Response {
        let object = try await RequestBodyReader.jsonObject(request, limit: config.maxEventBytes)
        let source = try authenticate(request, object, authenticator)
        switch envelope.accept(object, type: type, receivedAt: .wallClock()) {
        case .success(let accepted):
            try await produce([accepted], source: source, context: context)
            return Self.success
        case .failure(let reason):
            metrics.eventRejected(reason: reason.code)
            throw ProblemDetails(kind: .invalidEvent, detail: reason.message)
        }
    }

    private func batch(
        _ request: Request, context: Context, authenticator: WriteKeyAuthenticator, envelope: SegmentEnvelope
    ) async throws -> Response {
        let object = try await RequestBodyReader.jsonObject(request, limit: config.maxBatchBytes)
        let source = try authenticate(request, object, authenticator)
        guard case .list(let items)? = object["batch"] else {
            throw ProblemDetails(kind: .invalidRequest, detail: "expected {\"batch\": [events...]}")
        }
        guard items.count <= config.maxBatchEvents else {
            throw ProblemDetails(
                kind: .batchTooLarge,
                detail: "\(items.count) events exceed the limit of \(config.maxBatchEvents) per batch")
        }
        let receivedAt = Timestamp.wallClock()
        var accepted: [SegmentEnvelope.Accepted] = []
        var failures: [ProblemDetails.ItemError] = []
        for (index, item) in items.enumerated() {
            guard case .object(let event) = item else {
                failures.append(.init(index: index, code: "not_object", detail: "batch item is not a JSON object"))
                continue
            }
            switch envelope.accept(event, type: nil, receivedAt: receivedAt, batchDefaults: object) {
            case .success(let event): accepted.append(event)
            case .failure(let reason): failures.append(.init(index: index, code: reason.code, detail: reason.message))
            }
        }
        guard failures.isEmpty else {
            for failure in failures { metrics.eventRejected(reason: failure.code) }
            throw ProblemDetails(
                kind: .invalidEvent,
                detail: "\(failures.count) of \(items.count) events are invalid; none was accepted",
                errors: failures)
        }
        try await produce(accepted, source: source, context: context)
        return Self.success
    }

    private func authenticate(
        _ request: Request, _ body: [String: Value], _ authenticator: WriteKeyAuthenticator
    ) throws(ProblemDetails) -> String {
        do {
            return try authenticator.source(
                authorization: request.headers[.authorization], bodyWriteKey: body["writeKey"]?.stringValue)
        } catch {
            metrics.authFailure(kind: "write_key")
            throw error
        }
    }

    /// Produces keyed by customer (so the engine sees a customer's events in order) and waits for
    /// every delivery report.
    private func produce(_ events: [SegmentEnvelope.Accepted], source: String, context: Context) async throws {
        guard !events.isEmpty else { return }
        let header = KafkaHeader(name: Self.sourceHeader, value: Array(source.utf8))
        do {
            _ = try await producer.send(
                events.map {
                    KafkaOutgoingMessage(
                        topic: eventsTopic, key: Array($0.customerId.utf8), value: $0.json, headers: [header])
                })
        } catch {
            for _ in events { metrics.eventRejected(reason: "produce_failed") }
            context.logger.error(
                "could not produce ingested events",
                metadata: [APILogKeys.source: "\(source)", APILogKeys.error: "\(error)"])
            throw ProblemDetails(kind: .unavailable, detail: "events could not be stored; retry later")
        }
        metrics.eventsAccepted(events.count, source: source)
    }

    static var success: Response { JSONResponse.encode(["success": true]) }
}

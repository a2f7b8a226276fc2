import EngineCore
import Foundation
import Ingest

/// Turns one Segment HTTP API call into the record Nudge produces, with the rules of Segment's
/// tracking API: the path (or the batch item) sets `type`, the server adds `messageId` (when
/// missing), `receivedAt`, and `timestamp` (= receivedAt when the client sent none); the write key
/// never leaves the API. The result is checked with the engine's own `EventDecoder`, so what is
/// accepted here is exactly what the engine can process.
struct SegmentEnvelope: Sendable {
    let decoder: EventDecoder

    /// An accepted event: its customer (the Kafka key) and the JSON to produce.
    struct Accepted: Sendable {
        var customerId: String
        var json: [UInt8]
    }

    static let batchInherited = ["context", "integrations"]

    func accept(
        _ original: [String: Value], type: String?, receivedAt: Timestamp, batchDefaults: [String: Value] = [:]
    ) -> Result<Accepted, DeadLetterReason> {
        var object = original
        object["writeKey"] = nil
        if let type { object["type"] = .string(type) }
        // A `type` of the wrong type is the decoder's to refuse, with the reason it gives.
        guard let itemType = object["type"], !itemType.isNull else {
            return .failure(DeadLetterReason(code: "missing_type", message: "a batch item needs a 'type'"))
        }
        for key in Self.batchInherited where object[key] == nil {
            if let inherited = batchDefaults[key] { object[key] = inherited }
        }
        let received = Value.string(ISO8601.format(receivedAt))
        // Filled only where the client sent nothing (absent or null; an empty messageId too): a
        // value of the wrong type stays, for the decoder to refuse with the field and type.
        if Self.isAbsent(object["messageId"]) || object["messageId"] == "" {
            object["messageId"] = .string(UUID().uuidString.lowercased())
        }
        object["receivedAt"] = received
        if Self.isAbsent(object["timestamp"]), Self.isAbsent(object["originalTimestamp"]) {
            object["timestamp"] = received
        }

        let json: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            json = Array(try encoder.encode(Value.object(object)))
        } catch {
            return .failure(DeadLetterReason(code: "not_json", message: "event cannot be encoded: \(error)"))
        }
        let messageId = object["messageId"]?.stringValue ?? ""
        return decoder.decode(json, recordId: messageId).flatMap { event in
            guard let customerId = event.customerId else {
                return .failure(DeadLetterReason(code: "missing_identity", message: "needs a userId or anonymousId"))
            }
            return .success(Accepted(customerId: customerId, json: json))
        }
    }

    private static func isAbsent(_ value: Value?) -> Bool { value?.isNull ?? true }
}

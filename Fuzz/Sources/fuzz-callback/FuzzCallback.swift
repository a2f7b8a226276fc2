import EngineCore
import Feedback
import FuzzSupport
import Foundation

// A provider callback (POST /v1/callbacks/{connector}): the signature and timestamp headers, the
// JSON body and its mapping to feedback (JSON paths, statuses, epoch or ISO 8601 timestamps).
// Input: the first line is the signature header, the second the timestamp header, the rest the body.
private func path(_ text: String) -> JSONPath { try! JSONPath(text) }

private let mappings: [CallbackMapping] = [
    // connectors/sms.yaml
    CallbackMapping(
        messageId: path("$.reference"), providerMessageId: path("$.id"), status: path("$.status"),
        statuses: ["delivered": .delivered, "failed": .failed, "undeliverable": .bounced], reason: path("$.error"),
        eventId: path("$.event_id"), timestamp: path("$.timestamp")),
    // a list of events, nested fields, as email providers send them
    CallbackMapping(
        events: path("$.events"), messageId: path("$.meta.message_id"), providerMessageId: path("$.id"),
        status: path("$.event"), statuses: ["open": .opened, "click": .clicked, "bounce": .bounced],
        reason: path("$.reason"), bounceType: path("$.bounce.type"), url: path("$.url"),
        eventId: path("$.sg_event_id"), timestamp: path("$.ts")),
]
private let signature = CallbackSignature(
    config: CallbackConfig(
        secret: "fuzz-secret", signatureHeader: "X-Signature", timestampHeader: "X-Timestamp",
        mapping: mappings[0]))
private let now = Timestamp(milliseconds: 1_765_000_000_000)

@main
enum FuzzCallback {
    static func main() { runFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let lines = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
    let headers = ["x-signature": lines.count > 0 ? lines[0] : [], "x-timestamp": lines.count > 1 ? lines[1] : []]
        .mapValues { String(decoding: $0, as: UTF8.self) }
    let body = lines.count > 2 ? Array(lines[2]) : bytes
    _ = try? signature.verify(body: body, header: { headers[$0.lowercased()] }, now: now)
    guard let payload = try? JSONDecoder().decode(Value.self, from: Data(body)) else { return 0 }
    for mapping in mappings {
        _ = try? mapping.read(payload)
    }
    _ = (try? JSONPath(String(decoding: lines.first ?? [], as: UTF8.self)))?.resolve(in: payload)
    return 0
}

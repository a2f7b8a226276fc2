import Feedback
import FuzzSupport

// A tracking token from a URL (/t/o|c|u/{token}): base64url, the MAC check, the fields. A token
// signed from the input's fields (any text, the separator included) must verify back to the same token.
private let signer = TrackingTokenSigner(secret: "fuzz-secret")

@main
enum FuzzTrackingToken {
    static func main() { runFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    for kind in [TrackingToken.Kind.open, .click, .unsubscribe] {
        _ = try? signer.verify(Substring(text), as: kind)
    }
    let fields = text.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
    if fields.count == 5 {
        // A click carries its URL (a click token without one is refused by design).
        let kind: TrackingToken.Kind = fields[3].isEmpty ? .unsubscribe : .click
        let token = TrackingToken(
            kind: kind, messageId: fields[0], customerId: fields[1], channel: fields[2],
            url: fields[3].isEmpty ? nil : fields[3], topic: fields[4].isEmpty ? nil : fields[4])
        let verified = try? signer.verify(Substring(signer.sign(token)), as: kind)
        fuzzCheck(verified == token, "a signed token does not verify to itself: \(token)")
    }
    return 0
}

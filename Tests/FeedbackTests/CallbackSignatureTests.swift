import EngineCore
import Feedback
import Foundation
import Testing

@Suite("Callback signatures")
struct CallbackSignatureTests {
    static let secret = "callback-secret-0123456789"
    static let body = Array(#"{"status":"delivered","reference":"m-1"}"#.utf8)

    /// Headers as a provider sends them; looked up case-insensitively like the HTTP layer does.
    static func headers(_ fields: [String: String]) -> (String) -> String? {
        { name in fields.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    static func config(
        header: String = "X-Signature", prefix: String = "sha256=", timestampHeader: String? = nil,
        tolerance: Duration = .seconds(300)
    ) throws -> CallbackConfig {
        CallbackConfig(
            secret: secret, signatureHeader: header, signaturePrefix: prefix, timestampHeader: timestampHeader,
            tolerance: tolerance, mapping: CallbackMapping(status: try JSONPath("$.status"), statuses: [:]))
    }

    static let now = Timestamp(milliseconds: 1_714_557_600_000)

    @Test func acceptsTheBodySignedWithTheSecret() throws {
        let signature = CallbackSignature.sign(body: Self.body, secret: Self.secret)
        #expect(signature.hasPrefix("sha256="))
        #expect(signature.count == "sha256=".count + 64)
        try CallbackSignature(config: Self.config())
            .verify(body: Self.body, header: Self.headers(["x-signature": signature]), now: Self.now)
    }

    @Test func signMatchesAKnownHMACSHA256Vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let signature = CallbackSignature.sign(
            body: Array("what do ya want for nothing?".utf8), secret: "Jefe", prefix: "")
        #expect(signature == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func acceptsUpperCaseHexAndSurroundingSpaces() throws {
        let signature = CallbackSignature.sign(body: Self.body, secret: Self.secret, prefix: "")
        try CallbackSignature(config: Self.config())
            .verify(
                body: Self.body, header: Self.headers(["X-Signature": "  sha256=\(signature.uppercased()) "]),
                now: Self.now)
    }

    @Test func aChangedBodyDoesNotMatch() {
        let signature = CallbackSignature.sign(body: Self.body, secret: Self.secret)
        var tampered = Self.body
        tampered[tampered.count - 3] = UInt8(ascii: "2")
        #expect(throws: CallbackSignature.Rejection.mismatch) {
            try CallbackSignature(config: Self.config())
                .verify(body: tampered, header: Self.headers(["X-Signature": signature]), now: Self.now)
        }
    }

    @Test func anotherSecretDoesNotMatch() {
        let signature = CallbackSignature.sign(body: Self.body, secret: "not-the-shared-secret")
        #expect(throws: CallbackSignature.Rejection.mismatch) {
            try CallbackSignature(config: Self.config())
                .verify(body: Self.body, header: Self.headers(["X-Signature": signature]), now: Self.now)
        }
    }

    @Test func aMissingHeaderIsNamed() {
        let signature = CallbackSignature.sign(body: Self.body, secret: Self.secret)
        #expect(throws: CallbackSignature.Rejection.missingSignature(header: "X-Signature")) {
            try CallbackSignature(config: Self.config())
                .verify(body: Self.body, header: Self.headers(["X-Nudge-Signature": signature]), now: Self.now)
        }
        #expect(
            CallbackSignature.Rejection.missingSignature(header: "X-Signature").description
                == "missing signature header X-Signature")
    }

    @Test func aConfiguredPrefixIsStripped() throws {
        let signature = CallbackSignature.sign(body: Self.body, secret: Self.secret, prefix: "v1,")
        try CallbackSignature(config: Self.config(prefix: "v1,"))
            .verify(body: Self.body, header: Self.headers(["X-Signature": signature]), now: Self.now)
        // Under the default prefix the same header is not hex.
        #expect(throws: CallbackSignature.Rejection.malformedSignature) {
            try CallbackSignature(config: Self.config())
                .verify(body: Self.body, header: Self.headers(["X-Signature": signature]), now: Self.now)
        }
    }

    @Test(arguments: [
        "sha256=", "sha256=zz", "sha256=abc",
        // SHA-1 length: hex, but not a SHA-256 MAC.
        "sha256=" + String(repeating: "ab", count: 20),
        "sha256=" + String(repeating: "ab", count: 31) + "xy",
        "sha256=" + String(repeating: "ab", count: 33),
    ])
    func malformedSignaturesAreRefusedBeforeComparing(header: String) {
        #expect(throws: CallbackSignature.Rejection.malformedSignature) {
            try CallbackSignature(config: Self.config())
                .verify(body: Self.body, header: Self.headers(["X-Signature": header]), now: Self.now)
        }
    }

    // MARK: timestamped signatures

    @Test func aTimestampedSignatureCoversTimestampAndBody() throws {
        let stamp = String(Self.now.milliseconds / 1000)
        let signature = CallbackSignature.sign(body: Self.body, secret: Self.secret, timestamp: stamp)
        let verifier = CallbackSignature(config: try Self.config(timestampHeader: "X-Timestamp"))
        try verifier.verify(
            body: Self.body, header: Self.headers(["X-Signature": signature, "X-Timestamp": stamp]), now: Self.now)

        // A replay with a fresh timestamp but the old signature does not match.
        let later = Timestamp(milliseconds: Self.now.milliseconds + 60_000)
        #expect(throws: CallbackSignature.Rejection.mismatch) {
            try verifier.verify(
                body: Self.body,
                header: Self.headers(["X-Signature": signature, "X-Timestamp": String(later.milliseconds / 1000)]),
                now: later)
        }
        // Nor does a signature over the body alone.
        let bodyOnly = CallbackSignature.sign(body: Self.body, secret: Self.secret)
        #expect(throws: CallbackSignature.Rejection.mismatch) {
            try verifier.verify(
                body: Self.body, header: Self.headers(["X-Signature": bodyOnly, "X-Timestamp": stamp]), now: Self.now)
        }
    }

    @Test(arguments: [
        (Int64(0), true), (300, true), (-300, true), (301, false), (-301, false), (86_400, false),
    ])
    func timestampsOutsideTheToleranceAreStale(offsetSeconds: Int64, accepted: Bool) throws {
        let stamp = String(Self.now.milliseconds / 1000 - offsetSeconds)
        let signature = CallbackSignature.sign(body: Self.body, secret: Self.secret, timestamp: stamp)
        let verifier = CallbackSignature(
            config: try Self.config(timestampHeader: "X-Timestamp", tolerance: .seconds(300)))
        let verify = {
            try verifier.verify(
                body: Self.body, header: Self.headers(["X-Signature": signature, "X-Timestamp": stamp]), now: Self.now)
        }
        if accepted {
            #expect(throws: Never.self) { try verify() }
        } else {
            #expect(throws: CallbackSignature.Rejection.stale) { try verify() }
        }
    }

    @Test func aMissingTimestampIsNamed() {
        let signature = CallbackSignature.sign(body: Self.body, secret: Self.secret, timestamp: "1714557600")
        #expect(throws: CallbackSignature.Rejection.missingTimestamp(header: "X-Timestamp")) {
            try CallbackSignature(config: Self.config(timestampHeader: "X-Timestamp"))
                .verify(body: Self.body, header: Self.headers(["X-Signature": signature]), now: Self.now)
        }
    }

    @Test(arguments: ["", "yesterday", "1714557600.5", "2024-05-01T10:00:00Z"])
    func aTimestampThatIsNotEpochSecondsIsRefused(stamp: String) {
        let signature = CallbackSignature.sign(body: Self.body, secret: Self.secret, timestamp: stamp)
        #expect(throws: CallbackSignature.Rejection.stale) {
            try CallbackSignature(config: Self.config(timestampHeader: "X-Timestamp"))
                .verify(
                    body: Self.body, header: Self.headers(["X-Signature": signature, "X-Timestamp": stamp]),
                    now: Self.now)
        }
    }

    /// The timestamp header comes from whoever sends the request, before any signature is
    /// checked: an absurd value must be refused as stale, not crash the process on overflow.
    @Test(arguments: ["-9223372036854775808", "-9223372036854775000", "9223372036854775807"])
    func anExtremeTimestampIsStaleNotACrash(stamp: String) async {
        await #expect(processExitsWith: .success) { [stamp] in
            guard let status = try? JSONPath("$.status") else { exit(3) }
            let config = CallbackConfig(
                secret: "callback-secret-0123456789", signatureHeader: "X-Signature", timestampHeader: "X-Timestamp",
                mapping: CallbackMapping(status: status, statuses: [:]))
            let body = Array("{}".utf8)
            let signature = CallbackSignature.sign(body: body, secret: config.secret, timestamp: stamp)
            let headers = ["X-Signature": signature, "X-Timestamp": stamp]
            do throws(CallbackSignature.Rejection) {
                try CallbackSignature(config: config)
                    .verify(body: body, header: { headers[$0] }, now: Timestamp(milliseconds: 1_714_557_600_000))
                exit(1)
            } catch {
                exit(error == .stale ? 0 : 2)
            }
        }
    }
}

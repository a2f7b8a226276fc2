import Foundation
import Testing

@testable import Feedback

@Suite("Tracking tokens: signed, verified, unforgeable")
struct TrackingTokenTests {
    let signer = TrackingTokenSigner(secret: "tracking-secret-for-tests")

    @Test(arguments: [
        TrackingToken(kind: .open, messageId: "m-1", customerId: "c-1", channel: "email"),
        TrackingToken(
            kind: .click, messageId: "m-1", customerId: "c-1", channel: "email",
            url: "https://shop.example.com/cart?id=7&utm=x#top"),
        TrackingToken(kind: .unsubscribe, messageId: "m-2", customerId: "c-2", channel: "sms", topic: "newsletter"),
        TrackingToken(kind: .unsubscribe, messageId: "m-3", customerId: "c-3", channel: "email"),
        TrackingToken(kind: .open, messageId: "msg:ü/ß.1", customerId: "kunde ✉ 42", channel: "email"),
    ])
    func roundTripsEveryKind(token: TrackingToken) throws {
        let text = signer.sign(token)
        #expect(try signer.verify(text[...], as: token.kind) == token)
    }

    @Test func tokenTextIsURLSafeAndDeterministic() {
        let token = TrackingToken(
            kind: .click, messageId: "m-1", customerId: "c-1", channel: "email",
            url: "https://example.com/?q=a+b/c==&ü=1")
        let text = signer.sign(token)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        #expect(text.allSatisfy { allowed.contains($0) }, "\(text)")
        #expect(text.filter { $0 == "." }.count == 1)
        #expect(signer.sign(token) == text)
        // 16 bytes of MAC: 22 base64url characters without padding.
        #expect(text.split(separator: ".").last?.count == 22)
    }

    @Test func differentTokensHaveDifferentTexts() {
        let a = TrackingToken(kind: .open, messageId: "m-1", customerId: "c-1", channel: "email")
        var b = a
        b.customerId = "c-2"
        #expect(signer.sign(a) != signer.sign(b))
    }

    @Test func aTokenSignedUnderAnotherSecretIsRejected() {
        let token = TrackingToken(kind: .open, messageId: "m-1", customerId: "c-1", channel: "email")
        let foreign = TrackingTokenSigner(secret: "some-other-secret").sign(token)
        #expect(throws: TrackingTokenSigner.VerificationError.badSignature) {
            try signer.verify(foreign[...], as: .open)
        }
    }

    @Test func anEditedPayloadWithTheOriginalSignatureIsRejected() throws {
        let original = TrackingToken(
            kind: .click, messageId: "m-1", customerId: "c-1", channel: "email", url: "https://shop.example.com/")
        let parts = signer.sign(original).split(separator: ".")
        let mac = try #require(parts.last)
        // Same layout as the signer's payload, pointing the redirect somewhere else.
        let forged = Self.base64URL(["1", "c", "m-1", "c-1", "email", "https://evil.example.com/", ""])
        #expect(throws: TrackingTokenSigner.VerificationError.badSignature) {
            try signer.verify("\(forged).\(mac)"[...], as: .click)
        }
        // And a payload that is byte-for-byte the original still passes, so the check above is
        // about the edit, not about the way the test builds payloads.
        let rebuilt = Self.base64URL(["1", "c", "m-1", "c-1", "email", "https://shop.example.com/", ""])
        #expect(try signer.verify("\(rebuilt).\(mac)"[...], as: .click) == original)
    }

    @Test func aTruncatedSignatureIsRejected() throws {
        let text = signer.sign(TrackingToken(kind: .open, messageId: "m-1", customerId: "c-1", channel: "email"))
        let parts = text.split(separator: ".")
        let payload = try #require(parts.first)
        let mac = try #require(parts.last)
        #expect(throws: TrackingTokenSigner.VerificationError.badSignature) {
            try signer.verify("\(payload).\(mac.dropLast(4))"[...], as: .open)
        }
    }

    @Test func aTokenOfAnotherKindIsRejected() {
        let open = signer.sign(TrackingToken(kind: .open, messageId: "m-1", customerId: "c-1", channel: "email"))
        #expect(throws: TrackingTokenSigner.VerificationError.wrongKind) { try signer.verify(open[...], as: .click) }
        #expect(throws: TrackingTokenSigner.VerificationError.wrongKind) {
            try signer.verify(open[...], as: .unsubscribe)
        }
    }

    @Test(arguments: ["", "abc", "a.b.c", "a+b/c.def", "YWJj.!!!!", "Zm9v.Zm9v\u{00E9}", "Zm9vY.Zm9v"])
    func malformedTextIsRejected(text: String) {
        #expect(throws: TrackingTokenSigner.VerificationError.malformed) { try signer.verify(text[...], as: .open) }
    }

    @Test(arguments: [".", "abc.", ".abc", "Zm9v.Zm9v"])
    func emptyOrShortPartsAreRejected(text: String) {
        #expect(throws: TrackingTokenSigner.VerificationError.self) { try signer.verify(text[...], as: .open) }
    }

    @Test func aClickTokenWithoutURLIsMalformed() {
        let text = signer.sign(TrackingToken(kind: .click, messageId: "m-1", customerId: "c-1", channel: "email"))
        #expect(throws: TrackingTokenSigner.VerificationError.malformed) { try signer.verify(text[...], as: .click) }
    }

    @Test(arguments: [
        // Were fields shifted, this would read as customer "c-1" with url "https://evil".
        TrackingToken(
            kind: .click, messageId: "m-1\u{1F}c-1", customerId: "email", channel: "https://evil",
            url: "https://shop.example.com/"),
        // The separator and a combining mark make one character (found by fuzz-tracking-token).
        TrackingToken(kind: .click, messageId: "\u{1F}\u{315}", customerId: "", channel: "", url: "\u{FFFD}"),
        TrackingToken(kind: .unsubscribe, messageId: "m\u{1B}s", customerId: "\u{1B}\u{1B}e", channel: "email"),
    ])
    func aFieldHoldingTheSeparatorOrTheEscapeRoundTripsUnshifted(token: TrackingToken) throws {
        let text = signer.sign(token)
        #expect(try signer.verify(text[...], as: token.kind) == token)
    }

    @Test func aPlainPayloadWithAnExtraSeparatorIsMalformed() {
        // Version 1 fields carry no separator; one more field cannot be read as shifted fields.
        let payload = Data(
            ["1", "c", "m-1", "c-1", "email", "https://evil", "https://shop.example.com/", ""].joined(
                separator: "\u{1F}"
            ).utf8)
        let text = signer.signed(payload: payload)
        #expect(throws: TrackingTokenSigner.VerificationError.malformed) { try signer.verify(text[...], as: .click) }
    }

    @Test func aVersionTwoFieldWithABadEscapeIsMalformed() {
        let payload = Data(["2", "o", "m\u{1B}x", "c-1", "email", "", ""].joined(separator: "\u{1F}").utf8)
        let text = signer.signed(payload: payload)
        #expect(throws: TrackingTokenSigner.VerificationError.malformed) { try signer.verify(text[...], as: .open) }
    }

    @Test func verifiesATokenThatIsASliceOfALongerPath() throws {
        let token = TrackingToken(kind: .open, messageId: "m-1", customerId: "c-1", channel: "email")
        let path = "/t/o/" + signer.sign(token)
        #expect(try signer.verify(path.dropFirst(5), as: .open) == token)
    }

    static func base64URL(_ fields: [String]) -> String {
        Data(fields.joined(separator: "\u{1F}").utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

@Suite("Tracking links")
struct TrackingLinksTests {
    let signer = TrackingTokenSigner(secret: "tracking-secret-for-tests")

    @Test func buildsOpenClickAndUnsubscribeURLsUnderTheBaseURL() throws {
        let links = TrackingLinks(baseURL: "https://t.example.com/", signer: signer)
        #expect(links.baseURL == "https://t.example.com")

        let open = links.open(messageId: "m-1", customerId: "c-1", channel: "email")
        let openToken = try #require(Self.token(of: open, prefix: "https://t.example.com/t/o/"))
        #expect(
            try signer.verify(openToken, as: .open)
                == TrackingToken(kind: .open, messageId: "m-1", customerId: "c-1", channel: "email"))

        let click = links.click(
            "https://shop.example.com/p?a=1&b=2", messageId: "m-1", customerId: "c-1", channel: "email")
        let clickToken = try #require(Self.token(of: click, prefix: "https://t.example.com/t/c/"))
        #expect(try signer.verify(clickToken, as: .click).url == "https://shop.example.com/p?a=1&b=2")

        let unsubscribe = links.unsubscribe(messageId: "m-1", customerId: "c-1", channel: "email", topic: "news")
        let unsubscribeToken = try #require(Self.token(of: unsubscribe, prefix: "https://t.example.com/t/u/"))
        let verified = try signer.verify(unsubscribeToken, as: .unsubscribe)
        #expect(verified.topic == "news")
        #expect(verified.customerId == "c-1")
    }

    @Test func anUnsubscribeWithoutTopicIsAboutTheWholeChannel() throws {
        let links = TrackingLinks(baseURL: "http://localhost:8080", signer: signer)
        let url = links.unsubscribe(messageId: "m-1", customerId: "c-1", channel: "sms", topic: nil)
        let token = try #require(Self.token(of: url, prefix: "http://localhost:8080/t/u/"))
        let verified = try signer.verify(token, as: .unsubscribe)
        #expect(verified.topic == nil)
        #expect(verified.channel == "sms")
    }

    static func token(of url: String, prefix: String) -> Substring? {
        url.hasPrefix(prefix) ? url.dropFirst(prefix.count) : nil
    }
}

import Crypto
import Foundation

/// What an open pixel or a tracked link stands for. Carried inside the URL itself, signed, so the
/// tracking endpoints need no lookup, nobody can guess another customer's token, and a click only
/// ever redirects to a URL the dispatcher put there (no open redirect).
public struct TrackingToken: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case open = "o"
        case click = "c"
        /// The `List-Unsubscribe` / footer link: unsubscribes from the message's topic (or channel).
        case unsubscribe = "u"
        /// The `X-Nudge-Bounce-Token` header of an email: a bounce report quoting it is about a
        /// message we sent to that customer, not a forged report that would suppress them.
        case bounce = "b"
    }

    public var kind: Kind
    public var messageId: String
    public var customerId: String
    public var channel: String
    /// The link's target (clicks only).
    public var url: String?
    /// The subscription group an unsubscribe is about (unsubscribes only; none: the channel).
    public var topic: String?

    public init(
        kind: Kind, messageId: String, customerId: String, channel: String, url: String? = nil, topic: String? = nil
    ) {
        self.kind = kind
        self.messageId = messageId
        self.customerId = customerId
        self.channel = channel
        self.url = url
        self.topic = topic
    }
}

/// Signs and verifies tracking tokens with HMAC-SHA256 under one deployment secret. Token text:
/// `base64url(payload) "." base64url(first 16 bytes of the MAC)`; 128 bits of MAC make forging
/// one as hard as guessing the key.
public struct TrackingTokenSigner: Sendable {
    public enum VerificationError: Error, Equatable, CustomStringConvertible {
        case malformed
        case badSignature
        case wrongKind

        public var description: String {
            switch self {
            case .malformed: "the tracking token is malformed"
            case .badSignature: "the tracking token's signature does not match"
            case .wrongKind: "the tracking token is for another kind of tracking"
            }
        }
    }

    private static let separator: Character = "\u{1F}"
    private static let macBytes = 16
    private let key: SymmetricKey

    public init(secret: String) {
        self.key = SymmetricKey(data: Data(secret.utf8))
    }

    public func sign(_ token: TrackingToken) -> String {
        let fields = [
            "1", token.kind.rawValue, token.messageId, token.customerId, token.channel, token.url ?? "", token.topic ?? "",
        ]
        let payload = Data(fields.joined(separator: String(Self.separator)).utf8)
        return Base64URL.encode(payload) + "." + Base64URL.encode(mac(payload))
    }

    public func verify(_ text: Substring, as kind: TrackingToken.Kind) throws(VerificationError) -> TrackingToken {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(parts[0]), let signature = Base64URL.decode(parts[1])
        else { throw .malformed }
        guard Self.constantTimeEqual(signature, mac(payload)) else { throw .badSignature }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: Self.separator, omittingEmptySubsequences: false)
        guard fields.count == 7, fields[0] == "1", let tokenKind = TrackingToken.Kind(rawValue: String(fields[1])) else {
            throw .malformed
        }
        guard tokenKind == kind else { throw .wrongKind }
        let url = fields[5].isEmpty ? nil : String(fields[5])
        if kind == .click, url == nil { throw .malformed }
        return TrackingToken(
            kind: tokenKind, messageId: String(fields[2]), customerId: String(fields[3]), channel: String(fields[4]),
            url: url, topic: fields[6].isEmpty ? nil : String(fields[6]))
    }

    private func mac(_ payload: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(Self.macBytes)
    }

    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

/// RFC 4648 base64url without padding: safe in a URL path segment.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

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
/// `base64url(payload) "." base64url(first 16 bytes of the MAC)`, the payload being a version and
/// the fields joined by U+001F; 128 bits of MAC make forging one as hard as guessing the key.
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

    private static let separator: Unicode.Scalar = "\u{1F}"
    private static let escape: Unicode.Scalar = "\u{1B}"
    private static let macBytes = 16
    private let key: SymmetricKey

    public init(secret: String) {
        self.key = SymmetricKey(data: Data(secret.utf8))
    }

    public func sign(_ token: TrackingToken) -> String {
        let fields = [
            token.kind.rawValue, token.messageId, token.customerId, token.channel, token.url ?? "", token.topic ?? "",
        ]
        // Version 1 carries the fields as they are; a field holding the separator (or the escape)
        // is escaped under version 2, so any customer id or URL signs and verifies unchanged.
        let plain = fields.allSatisfy { field in
            !field.unicodeScalars.contains { $0 == Self.separator || $0 == Self.escape }
        }
        let parts = plain ? ["1"] + fields : ["2"] + fields.map(Self.escaped)
        return signed(payload: Data(parts.joined(separator: String(Self.separator)).utf8))
    }

    /// The token text of `payload` (internal: tests sign payloads the signer itself never would).
    func signed(payload: Data) -> String {
        Base64URL.encode(payload) + "." + Base64URL.encode(mac(payload))
    }

    public func verify(_ text: Substring, as kind: TrackingToken.Kind) throws(VerificationError) -> TrackingToken {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(parts[0]), let signature = Base64URL.decode(parts[1])
        else { throw .malformed }
        guard Self.constantTimeEqual(signature, mac(payload)) else { throw .badSignature }
        // Split on the scalar, not on characters: a separator followed by a combining mark is
        // one character, and would hide a field boundary.
        let scalars = String(decoding: payload, as: UTF8.self).unicodeScalars
        let raw = scalars.split(separator: Self.separator, omittingEmptySubsequences: false).map { Substring($0) }
        guard raw.count == 7 else { throw .malformed }
        let fields: [String]
        switch raw[0] {
        case "1": fields = raw.dropFirst().map(String.init)
        case "2":
            let unescaped = raw.dropFirst().compactMap(Self.unescaped)
            guard unescaped.count == 6 else { throw .malformed }
            fields = unescaped
        default: throw .malformed
        }
        guard let tokenKind = TrackingToken.Kind(rawValue: fields[0]) else { throw .malformed }
        guard tokenKind == kind else { throw .wrongKind }
        let url = fields[4].isEmpty ? nil : fields[4]
        if kind == .click, url == nil { throw .malformed }
        return TrackingToken(
            kind: tokenKind, messageId: fields[1], customerId: fields[2], channel: fields[3],
            url: url, topic: fields[5].isEmpty ? nil : fields[5])
    }

    /// Version 2's field escaping: the escape stands for itself as `ESC e`, the separator as `ESC s`.
    private static func escaped(_ field: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in field.unicodeScalars {
            switch scalar {
            case escape: out.append(contentsOf: [escape, "e"])
            case separator: out.append(contentsOf: [escape, "s"])
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    private static func unescaped(_ field: Substring) -> String? {
        var out = String.UnicodeScalarView()
        var scalars = field.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == escape else {
                out.append(scalar)
                continue
            }
            switch scalars.next() {
            case "e": out.append(escape)
            case "s": out.append(separator)
            default: return nil
            }
        }
        return String(out)
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

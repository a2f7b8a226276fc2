import Crypto
import EngineCore
import Foundation

/// Checks that a callback really comes from the provider: HMAC-SHA256 of the raw body (or of
/// `<timestamp>.<body>`) under the connector's secret, compared in constant time.
public struct CallbackSignature: Sendable {
    public enum Rejection: Error, Equatable, CustomStringConvertible {
        case missingSignature(header: String)
        case malformedSignature
        case mismatch
        case missingTimestamp(header: String)
        case stale

        public var description: String {
            switch self {
            case .missingSignature(let header): "missing signature header \(header)"
            case .malformedSignature: "the signature is not hex-encoded SHA-256"
            case .mismatch: "the signature does not match the body"
            case .missingTimestamp(let header): "missing timestamp header \(header)"
            case .stale: "the signed timestamp is outside the accepted window"
            }
        }
    }

    let config: CallbackConfig

    public init(config: CallbackConfig) {
        self.config = config
    }

    /// `header` looks a header up by name (case-insensitive).
    public func verify(body: [UInt8], header: (String) -> String?, now: Timestamp) throws(Rejection) {
        guard let signed = header(config.signatureHeader) else {
            throw .missingSignature(header: config.signatureHeader)
        }
        var hex = Substring(signed.trimmingCharacters(in: .whitespaces))
        if !config.signaturePrefix.isEmpty, hex.hasPrefix(config.signaturePrefix) {
            hex = hex.dropFirst(config.signaturePrefix.count)
        }
        guard let signature = Self.bytes(hex: hex), signature.count == SHA256.byteCount else {
            throw .malformedSignature
        }
        var content = Data()
        if let timestampHeader = config.timestampHeader {
            guard let stamp = header(timestampHeader) else { throw .missingTimestamp(header: timestampHeader) }
            guard let seconds = Int64(stamp.trimmingCharacters(in: .whitespaces)) else { throw .stale }
            // The header is the sender's and not yet authenticated: subtract without trapping.
            let (difference, overflow) = (now.milliseconds / 1000).subtractingReportingOverflow(seconds)
            guard !overflow, difference.magnitude <= config.tolerance.components.seconds.magnitude else {
                throw .stale
            }
            content.append(contentsOf: Array(stamp.utf8) + [UInt8(ascii: ".")])
        }
        content.append(contentsOf: body)
        let key = SymmetricKey(data: Data(config.secret.utf8))
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: content, using: key) else {
            throw .mismatch
        }
    }

    /// What a provider (or a test acting as one) puts in the signature header.
    public static func sign(body: [UInt8], secret: String, timestamp: String? = nil, prefix: String = "sha256=") -> String {
        var content = Data()
        if let timestamp { content.append(contentsOf: Array(timestamp.utf8) + [UInt8(ascii: ".")]) }
        content.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: Data(secret.utf8)))
        return prefix + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

import Crypto
import Foundation

/// Generation and hashing of API key secrets: `nk_` + 32 random bytes in base64url (43 characters).
/// Only the SHA-256 (hex) is stored; the secret is high-entropy, so a plain hash (no salt, no slow
/// KDF) is enough and allows lookup by hash.
public enum APIKeySecret {
    public static let prefix = "nk_"
    /// Characters of the secret kept in clear, to tell keys apart (`nk_` + 4).
    static let visiblePrefixLength = 7

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + base64URL(bytes)
    }

    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    static func visiblePrefix(_ secret: String) -> String { String(secret.prefix(visiblePrefixLength)) }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

import Foundation
import Hummingbird

/// Checks the write key of an ingestion request the way Segment does: HTTP Basic with the write
/// key as user name and an empty password, or a `writeKey` field in the body (what browsers send
/// to avoid a CORS preflight). Answers the name of the source the key belongs to.
struct WriteKeyAuthenticator: Sendable {
    private let sources: [String: String]

    init(writeKeys: [NamedKey]) {
        sources = Dictionary(writeKeys.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// Basic credentials win over the body field when both are present.
    func source(authorization: String?, bodyWriteKey: String?) throws(ProblemDetails) -> String {
        let key: String
        if let authorization {
            guard let basicKey = Self.basicUser(authorization) else {
                throw ProblemDetails(
                    kind: .unauthorized, detail: "expected 'Authorization: Basic base64(writeKey:)'")
            }
            key = basicKey
        } else if let bodyWriteKey {
            key = bodyWriteKey
        } else {
            throw ProblemDetails(
                kind: .unauthorized, detail: "send the write key as HTTP Basic user name or as 'writeKey' in the body")
        }
        guard let source = sources[key] else {
            throw ProblemDetails(kind: .unauthorized, detail: "unknown write key")
        }
        return source
    }

    /// The user name of `Basic base64(user:password)`.
    static func basicUser(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces))
        else { return nil }
        let credentials = String(decoding: decoded, as: UTF8.self)
        let user = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return user.isEmpty ? nil : String(user)
    }
}

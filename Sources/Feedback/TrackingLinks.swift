/// The public URLs of the tracking endpoints, built from the deployment's base URL
/// (`tracking.base_url`, e.g. `https://t.example.com`).
public struct TrackingLinks: Sendable {
    public let baseURL: String
    public let signer: TrackingTokenSigner

    public init(baseURL: String, signer: TrackingTokenSigner) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.signer = signer
    }

    public func open(messageId: String, customerId: String, channel: String) -> String {
        "\(baseURL)/t/o/" + signer.sign(TrackingToken(kind: .open, messageId: messageId, customerId: customerId, channel: channel))
    }

    public func click(_ url: String, messageId: String, customerId: String, channel: String) -> String {
        "\(baseURL)/t/c/"
            + signer.sign(TrackingToken(kind: .click, messageId: messageId, customerId: customerId, channel: channel, url: url))
    }

    public func unsubscribe(messageId: String, customerId: String, channel: String, topic: String?) -> String {
        "\(baseURL)/t/u/"
            + signer.sign(
                TrackingToken(kind: .unsubscribe, messageId: messageId, customerId: customerId, channel: channel, topic: topic))
    }
}

import SharedStores
import Feedback

/// What the feedback endpoints need: each connector's callback settings, the tracking signer,
/// and the publisher that resolves messages and produces feedback events.
public struct FeedbackDependencies: Sendable {
    /// Connector name -> its callback settings (connectors without a `callback:` have none).
    public var callbacks: [String: CallbackConfig]
    public var signer: TrackingTokenSigner
    public var publisher: FeedbackPublisher

    public init(callbacks: [String: CallbackConfig], signer: TrackingTokenSigner, publisher: FeedbackPublisher) {
        self.callbacks = callbacks
        self.signer = signer
        self.publisher = publisher
    }
}

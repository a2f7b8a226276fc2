import EngineCore
import NudgeRecords
import ProcessSupport

/// A message ready for a provider: rendered, addressed, with everything a connector may need.
public struct RenderedMessage: Sendable {
    public var message: OutboundMessage
    /// The rendered template parts (`subject`, `text`, `html`, `title`, `body`, ...).
    public var parts: [String: String]
    /// The render context (variables, profile, message, links): connectors render their own
    /// config templates (URL, body) against it, with `content` and `recipient` added.
    public var context: [String: Value]

    public init(message: OutboundMessage, parts: [String: String], context: [String: Value]) {
        self.message = message
        self.parts = parts
        self.context = context
    }
}

/// What a provider answered when it took a message.
public struct DeliveryReceipt: Sendable, Equatable {
    /// The provider's id for the message, which its callbacks refer to.
    public var providerMessageId: String?
    public var detail: String?

    public init(providerMessageId: String? = nil, detail: String? = nil) {
        self.providerMessageId = providerMessageId
        self.detail = detail
    }
}

/// Why a delivery failed. Transient failures are retried and count against the breaker;
/// permanent ones (a 4xx, a refused recipient, a missing address) are final at once.
public struct DeliveryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case transient
        case permanent
    }

    /// What a provider's own refusal at send time says, published as feedback like a callback's
    /// (our own checks, a missing address or template, say nothing to the provider's world).
    public enum Refusal: Sendable, Equatable {
        /// The recipient's address is refused for good (SMTP 5xx to RCPT TO, or 5.1.x): a hard bounce.
        case hardBounce
        /// The message is refused for good, the address not known to be bad (`Message Failed`).
        case failed
    }

    public var kind: Kind
    public var reason: String
    /// Set when the provider refused the message for good.
    public var refusal: Refusal?

    public static func transient(_ reason: String) -> DeliveryFailure {
        DeliveryFailure(kind: .transient, reason: reason)
    }
    public static func permanent(_ reason: String, refusal: Refusal? = nil) -> DeliveryFailure {
        DeliveryFailure(kind: .permanent, reason: reason, refusal: refusal)
    }

    public var description: String { "\(kind == .transient ? "transient" : "permanent"): \(reason)" }
}

/// Called once when a connector is about to hand the message over: from then on the provider
/// may have it even if the answer never arrives (the dispatch ledger records the moment).
public typealias HandingOver = @Sendable () async throws(DeliveryFailure) -> Void

/// A channel connector: hands one rendered message to one provider (or system).
public protocol MessageConnector: Sendable {
    var name: String { get }
    /// `recipient` is the address resolved from the connector's `recipient` path, if it has one.
    func deliver(_ message: RenderedMessage, recipient: String?) async throws(DeliveryFailure) -> DeliveryReceipt
    /// The same, calling `handingOver` at the last moment the provider surely has nothing.
    func deliver(
        _ message: RenderedMessage, recipient: String?, handingOver: @escaping HandingOver
    ) async throws(DeliveryFailure) -> DeliveryReceipt
}

extension MessageConnector {
    /// A connector whose one call hands the message over: the moment is the start of the call.
    public func deliver(
        _ message: RenderedMessage, recipient: String?, handingOver: @escaping HandingOver
    ) async throws(DeliveryFailure) -> DeliveryReceipt {
        try await handingOver()
        return try await deliver(message, recipient: recipient)
    }
}

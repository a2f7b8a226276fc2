import EngineCore

/// One feedback item read out of a provider's callback, before it is tied to a customer.
public struct ProviderFeedback: Sendable, Equatable {
    public enum MessageReference: Sendable, Equatable, Hashable {
        /// Our message id, echoed by the provider.
        case message(String)
        /// The provider's id for the message.
        case provider(String)
    }

    public var reference: MessageReference
    public var status: DeliveryFeedback.Status
    public var providerStatus: String
    public var reason: String?
    public var bounceType: String?
    public var url: String?
    public var eventId: String?
    public var at: Timestamp?
}

/// Why a callback payload could not be read; answered with 400 and the reason.
public struct CallbackPayloadError: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

extension CallbackMapping {
    /// The feedback items of one callback payload. Items with a status the mapping does not list
    /// are skipped (returned in `ignored`), not errors: providers report more states than we track.
    public func read(_ payload: Value) throws(CallbackPayloadError) -> (items: [ProviderFeedback], ignored: Int) {
        let events: [Value]
        if let path = self.events {
            guard case .list(let list)? = path.resolve(in: payload) else {
                throw CallbackPayloadError(reason: "expected a list of events at \(path)")
            }
            events = list
        } else if case .list(let list) = payload {
            events = list
        } else {
            events = [payload]
        }
        var items: [ProviderFeedback] = []
        var ignored = 0
        for (index, event) in events.enumerated() {
            guard let providerStatus = status.text(in: event) else {
                throw CallbackPayloadError(reason: "event \(index): no status at \(status)")
            }
            guard let normalized = statuses[providerStatus] else {
                ignored += 1
                continue
            }
            let reference: ProviderFeedback.MessageReference
            if let path = messageId, let id = path.text(in: event), !id.isEmpty {
                reference = .message(id)
            } else if let path = providerMessageId, let id = path.text(in: event), !id.isEmpty {
                reference = .provider(id)
            } else {
                throw CallbackPayloadError(reason: "event \(index): no message id (\(referenceDescription))")
            }
            items.append(
                ProviderFeedback(
                    reference: reference, status: normalized, providerStatus: providerStatus,
                    reason: reason?.text(in: event), bounceType: bounceType?.text(in: event), url: url?.text(in: event),
                    eventId: eventId?.text(in: event), at: timestamp.flatMap { Self.instant($0.resolve(in: event)) }))
        }
        return (items, ignored)
    }

    private var referenceDescription: String {
        [messageId.map { "message_id at \($0)" }, providerMessageId.map { "provider_message_id at \($0)" }]
            .compactMap { $0 }.joined(separator: " or ")
    }

    /// ISO 8601 text, or epoch seconds (below 10^11) / milliseconds.
    static func instant(_ value: Value?) -> Timestamp? {
        switch value {
        case .string(let text)?:
            if let parsed = ISO8601.parse(text) { return parsed }
            return Int64(text).flatMap(epoch)
        case .int(let number)?: return epoch(number)
        case .double(let number)?: return Int64(exactly: number.rounded(.towardZero)).flatMap(epoch)
        default: return nil
        }
    }

    /// Nil when seconds are too far from the epoch to be milliseconds: a provider's garbage, not a trap.
    private static func epoch(_ number: Int64) -> Timestamp? {
        guard number < 100_000_000_000 else { return Timestamp(milliseconds: number) }
        let (milliseconds, overflow) = number.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : Timestamp(milliseconds: milliseconds)
    }
}

/// What the contact policy decided about one message, with the reason reports show:
/// `sent`, `suppressed:cap:email:day`, `suppressed:unsubscribed`, `deferred:quiet_hours`, ...
public enum PolicyDecision: Sendable, Equatable {
    case send
    case suppress(reason: String)
    case deferUntil(Timestamp, reason: String)

    public var label: String {
        switch self {
        case .send: "sent"
        case .suppress(let reason): "suppressed:\(reason)"
        case .deferUntil(_, let reason): "deferred:\(reason)"
        }
    }
}

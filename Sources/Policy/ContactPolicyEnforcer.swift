import EngineCore

/// What the contact policy decided about one message, with the reason reports show
/// (`sent`, `suppressed:cap:email:day`, `deferred:quiet_hours`, ...).
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

/// Decides, for each message the engine wants to send, whether it goes out now. Shared by all
/// engine processes through Redis in its full form; `PassThroughEnforcer` lets everything through.
public protocol ContactPolicyEnforcer: Sendable {
    func decide(_ message: SendMessage, customer: CustomerState, now: Timestamp) async throws -> PolicyDecision
}

/// Sends every message: the policy before caps, quiet hours and opt-outs are configured.
public struct PassThroughEnforcer: ContactPolicyEnforcer {
    public init() {}

    public func decide(_ message: SendMessage, customer: CustomerState, now: Timestamp) async throws -> PolicyDecision {
        .send
    }
}

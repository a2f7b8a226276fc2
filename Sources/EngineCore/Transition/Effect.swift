/// What a transition asks the runtime to do. The core performs none of it.
public enum Effect: Sendable, Equatable, Codable {
    case scheduleTimer(PendingTimer)
    case cancelTimer(id: String)
    case entered(InstanceRef)
    /// A message the contact policy let through: it goes out now.
    case send(SendMessage)
    /// A message the contact policy stopped, with the reason (`cap:email:day`, `unsubscribed`, ...).
    case suppressed(SendMessage, reason: String)
    /// A message the contact policy holds until `until` (quiet hours, a full cap); decided again then.
    case deferred(SendMessage, until: Timestamp, reason: String)
    /// A message that went out although a shadow rule of the policy (`shadow: true`) would have
    /// stopped or held it: counted as `would_suppress` by rule, never enforced.
    case wouldSuppress(SendMessage, rule: String)
    /// The instance just entered belongs to a holdout: it runs like the others and is sent nothing.
    case heldOut(InstanceRef, arm: HoldoutArm)
    case showContent(ShowContent)
    case hideContent(HideContent)
    case updateProfile(ProfileUpdate)
    case emitEvent(EmittedEvent)
    case completed(Completion)
}

/// Which instance, of which scenario version, at which step, produced an effect.
public struct InstanceRef: Sendable, Equatable, Codable {
    public var customerId: String
    public var scenario: String
    public var version: Int
    public var instance: String
    public var step: String
}

public struct SendMessage: Sendable, Equatable, Codable {
    /// Deterministic: scenario, version, instance, step and visit, so a replay yields the same id.
    public var messageId: String
    public var origin: InstanceRef
    public var channel: String
    public var template: String
    public var variables: [String: Value]
    public var priority: Int
    public var transactional: Bool
    public var topic: String?
}

public struct ShowContent: Sendable, Equatable, Codable {
    public var origin: InstanceRef
    public var slot: String
    public var payload: [String: Value]
    public var expiresAt: Timestamp?
}

public struct HideContent: Sendable, Equatable, Codable {
    public var origin: InstanceRef
    public var slot: String
}

public struct ProfileUpdate: Sendable, Equatable, Codable {
    public var origin: InstanceRef
    public var attributes: [String: Value]
}

public struct EmittedEvent: Sendable, Equatable, Codable {
    public var origin: InstanceRef
    public var messageId: String
    public var name: String
    public var properties: [String: Value]
}

public struct Completion: Sendable, Equatable, Codable {
    public enum Reason: Sendable, Equatable, Codable {
        /// A goal was reached: counts as a conversion.
        case goal(String)
        case exit(String)
        case end
        /// A wait-for-event timed out with nowhere to go.
        case timeout
        /// The instance's scenario version is no longer in the catalog.
        case scenarioMissing
        /// A defensive bound on steps run in one transition was hit.
        case stepLimit

        public var label: String {
            switch self {
            case .goal(let id): "goal:\(id)"
            case .exit(let id): "exit:\(id)"
            case .end: "end"
            case .timeout: "timeout"
            case .scenarioMissing: "scenario-missing"
            case .stepLimit: "step-limit"
            }
        }

        public var isConversion: Bool {
            if case .goal = self { return true }
            return false
        }
    }

    public var origin: InstanceRef
    public var reason: Reason
    /// Set when the instance was in a holdout, so reports compare its conversions with the treated.
    public var holdout: HoldoutArm? = nil
}

/// The result of one transition.
public struct Transition: Sendable, Equatable {
    public var state: CustomerState
    public var effects: [Effect]

    public init(state: CustomerState, effects: [Effect]) {
        self.state = state
        self.effects = effects
    }
}

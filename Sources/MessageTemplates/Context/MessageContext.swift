import EngineCore

/// The context a message's templates are rendered with, built in one place so the dispatcher
/// and the tests agree on it (see docs/templates.md): the send step's `variables` at the top
/// level, plus the reserved roots `profile`, `message` and `links` (when tracking is on).
/// Instance variables are not a root: the engine evaluates what a template needs from the
/// instance into the send's `variables`, which the outbound record carries.
public struct MessageContext: Sendable, Hashable {
    /// Which message this is, for ids in links and footers.
    public struct Message: Sendable, Hashable {
        public var id: String
        public var scenario: String
        public var step: String
        public var channel: String

        public init(id: String, scenario: String, step: String, channel: String) {
            self.id = id
            self.scenario = scenario
            self.step = step
            self.channel = channel
        }
    }

    /// Top-level names the context always defines; a send variable with one of these names is
    /// shadowed by them, so a start-up check should refuse such variables.
    public static let reservedNames: Set<String> = ["profile", "message", "links"]

    /// The send step's variables, evaluated by the engine.
    public var variables: [String: Value]
    /// The customer's traits (`profile.first_name`, `profile.email`).
    public var profile: [String: Value]
    public var message: Message
    /// The customer's unsubscribe URL: `links.unsubscribe` (set when tracking is configured).
    public var unsubscribeLink: String?

    public init(
        variables: [String: Value], profile: [String: Value], message: Message,
        unsubscribeLink: String? = nil
    ) {
        self.variables = variables
        self.profile = profile
        self.message = message
        self.unsubscribeLink = unsubscribeLink
    }

    /// The root context: variables first, then the reserved roots over them.
    public var value: Value {
        var root = variables
        root["profile"] = .object(profile)
        root["message"] = .object([
            "id": .string(message.id), "scenario": .string(message.scenario), "step": .string(message.step),
            "channel": .string(message.channel),
        ])
        if let unsubscribeLink {
            root["links"] = .object(["unsubscribe": .string(unsubscribeLink)])
        } else {
            root["links"] = nil
        }
        return .object(root)
    }
}

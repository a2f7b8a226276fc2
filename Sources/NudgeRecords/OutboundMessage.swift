import EngineCore

/// A message the engine decided to send, as it travels on the outbound topic (keyed by customer)
/// to the dispatcher. The message id is deterministic (scenario, version, instance, step, visit),
/// which is what lets every later stage recognise a replay.
public struct OutboundMessage: Sendable, Equatable, Codable {
    /// The layout this Nudge writes (`record_version`); records without one are version 1.
    public static let currentRecordVersion = 1

    /// The layout of the record: a reader refuses a newer one instead of misreading it.
    public var recordVersion: Int
    public var messageId: String
    public var customerId: String
    public var channel: String
    public var template: String
    public var variables: [String: Value]
    public var priority: Int
    public var transactional: Bool
    /// The subscription group (topic) for opt-outs, when the scenario names one.
    public var subscription: String?
    public var scenario: String
    public var scenarioVersion: Int
    public var step: String
    public var instance: String
    public var createdAt: Timestamp
    /// The contact policy's decision (`sent`, ...).
    public var policy: String
    /// The customer's traits when the engine decided: the dispatcher addresses the message
    /// (`profile.email`, `profile.phone`) and templates personalise it from these.
    public var profile: [String: Value]

    enum CodingKeys: String, CodingKey {
        case recordVersion = "record_version"
        case messageId = "message_id"
        case customerId = "customer_id"
        case channel, template, variables, priority, transactional, subscription, scenario
        case scenarioVersion = "scenario_version"
        case step, instance
        case createdAt = "created_at"
        case policy, profile
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        recordVersion = try RecordVersion.decode(container, forKey: .recordVersion, current: Self.currentRecordVersion)
        messageId = try container.decode(String.self, forKey: .messageId)
        customerId = try container.decode(String.self, forKey: .customerId)
        channel = try container.decode(String.self, forKey: .channel)
        template = try container.decode(String.self, forKey: .template)
        variables = try container.decodeIfPresent([String: Value].self, forKey: .variables) ?? [:]
        priority = try container.decodeIfPresent(Int.self, forKey: .priority) ?? 0
        transactional = try container.decodeIfPresent(Bool.self, forKey: .transactional) ?? false
        subscription = try container.decodeIfPresent(String.self, forKey: .subscription)
        scenario = try container.decode(String.self, forKey: .scenario)
        scenarioVersion = try container.decode(Int.self, forKey: .scenarioVersion)
        step = try container.decode(String.self, forKey: .step)
        instance = try container.decode(String.self, forKey: .instance)
        createdAt = try container.decode(Timestamp.self, forKey: .createdAt)
        policy = try container.decode(String.self, forKey: .policy)
        // Records written before profiles travelled with messages have none.
        profile = try container.decodeIfPresent([String: Value].self, forKey: .profile) ?? [:]
    }

    public init(_ send: SendMessage, profile: [String: Value], createdAt: Timestamp, policy: String) {
        self.recordVersion = Self.currentRecordVersion
        self.messageId = send.messageId
        self.customerId = send.origin.customerId
        self.channel = send.channel
        self.template = send.template
        self.variables = send.variables.mapValues(\.plainJSON)
        self.priority = send.priority
        self.transactional = send.transactional
        self.subscription = send.topic
        self.scenario = send.origin.scenario
        self.scenarioVersion = send.origin.version
        self.step = send.origin.step
        self.instance = send.origin.instance
        self.createdAt = createdAt
        self.policy = policy
        self.profile = profile.mapValues(\.plainJSON)
    }
}

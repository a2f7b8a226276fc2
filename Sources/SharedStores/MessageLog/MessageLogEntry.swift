import NudgeRecords
import ProcessSupport
import EngineCore

/// The statuses a message goes through, as the message log records them.
public enum MessageStatus: String, Sendable, CaseIterable {
    case deferred, queued, sent, delivered, opened, clicked, failed, bounced, suppressed
    /// History only: a complaint or an unsubscribe says something about the customer, and the
    /// message keeps its delivery status.
    case complained, unsubscribed
    /// The dispatcher died while handing it to the provider, which may or may not have it; the
    /// connector's `on_unknown` held it for an operator (`held`) or dropped it (`unknown`).
    /// Ranked with `sent`: delivery feedback that arrives after all moves it on.
    case held, unknown

    /// Which status a message shows when its history holds several: the furthest along, with
    /// negative outcomes last (a message that bounced after being sent shows `bounced`).
    public var rank: Int {
        switch self {
        case .complained, .unsubscribed: -1
        case .deferred: 0
        case .queued: 1
        case .sent, .held, .unknown: 2
        case .delivered: 3
        case .opened: 4
        case .clicked: 5
        case .failed, .bounced, .suppressed: 6
        }
    }
}

/// One status change of one message. Writing the same entry twice (same `entryKey`) is a no-op,
/// so replays and retried callbacks never double a message's history.
public struct MessageLogEntry: Sendable, Equatable {
    /// The columns of the message itself, known when the entry comes from its outbound record.
    public struct Message: Sendable, Equatable {
        public var scenario: String
        public var scenarioVersion: Int
        public var step: String
        public var instance: String
        public var channel: String
        public var template: String
        public var createdAt: Timestamp

        public init(_ outbound: OutboundMessage) {
            self.scenario = outbound.scenario
            self.scenarioVersion = outbound.scenarioVersion
            self.step = outbound.step
            self.instance = outbound.instance
            self.channel = outbound.channel
            self.template = outbound.template
            self.createdAt = outbound.createdAt
        }
    }

    public var messageId: String
    public var customerId: String
    public var message: Message?
    public var status: MessageStatus
    public var reason: String?
    public var connector: String?
    public var providerMessageId: String?
    public var at: Timestamp
    public var entryKey: String
    public var detail: [String: String]

    public init(
        messageId: String, customerId: String, message: Message?, status: MessageStatus, reason: String? = nil,
        connector: String? = nil, providerMessageId: String? = nil, at: Timestamp, entryKey: String? = nil,
        detail: [String: String] = [:]
    ) {
        self.messageId = messageId
        self.customerId = customerId
        self.message = message
        self.status = status
        self.reason = reason
        self.connector = connector
        self.providerMessageId = providerMessageId
        self.at = at
        self.entryKey = entryKey ?? status.rawValue
        self.detail = detail
    }
}

/// Where message statuses are written. One implementation (PostgreSQL); an interface so the
/// dispatcher's logic can be exercised without a database.
public protocol MessageLog: Sendable {
    func record(_ entries: [MessageLogEntry]) async throws
}

/// What the contact policy remembers about one customer, kept in `CustomerState` so it changes
/// atomically with the rest of the customer: recent sends (for caps), recent templates (for
/// deduplication), suppressions from feedback, and messages held back until they may go.
public struct ContactState: Sendable, Equatable, Codable {
    public struct Sent: Sendable, Equatable, Codable {
        public var channel: String
        public var at: Timestamp

        enum CodingKeys: String, CodingKey {
            case channel = "c"
            case at = "t"
        }
    }

    /// A message the policy deferred: it is decided again when `until` comes.
    public struct Held: Sendable, Equatable, Codable {
        public var message: SendMessage
        public var until: Timestamp
        public var reason: String

        public var timerId: String { ContactState.heldTimerPrefix + message.messageId }
    }

    /// Sends within the longest cap period, oldest first.
    public var sent: [Sent] = []
    /// `channel/template` -> when it was last sent, within the dedup window.
    public var templates: [String: Timestamp] = [:]
    /// `all`, `channel:<name>` or `topic:<name>` -> why (`unsubscribed`, `hard_bounce`, `complaint`).
    public var suppressions: [String: String] = [:]
    public var held: [Held] = []

    public init() {}

    /// Timers of held messages; scenario timers never start with it.
    public static let heldTimerPrefix = "q/"

    public var isEmpty: Bool { sent.isEmpty && templates.isEmpty && suppressions.isEmpty && held.isEmpty }

    enum CodingKeys: String, CodingKey {
        case sent = "s"
        case templates = "t"
        case suppressions = "x"
        case held = "h"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sent = try container.decodeIfPresent([Sent].self, forKey: .sent) ?? []
        templates = try container.decodeIfPresent([String: Timestamp].self, forKey: .templates) ?? [:]
        suppressions = try container.decodeIfPresent([String: String].self, forKey: .suppressions) ?? [:]
        held = try container.decodeIfPresent([Held].self, forKey: .held) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !sent.isEmpty { try container.encode(sent, forKey: .sent) }
        if !templates.isEmpty { try container.encode(templates, forKey: .templates) }
        if !suppressions.isEmpty { try container.encode(suppressions, forKey: .suppressions) }
        if !held.isEmpty { try container.encode(held, forKey: .held) }
    }
}

/// Everything the core keeps about one customer: the unit of storage (one Redis hash slot) and
/// of concurrency. Short coding keys keep the stored form near a few hundred bytes.
public struct CustomerState: Sendable, Equatable, Codable {
    public var customerId: String
    public var profile: [String: Value]
    public var instances: [InstanceState]
    /// Past entries, for once-ever and once-per-period rules: entry key -> last entry.
    public var entries: [String: EntryRecord]
    /// Trigger timers (date attributes, event absence): timer id -> due time.
    public var triggerTimers: [String: Timestamp]
    /// What the contact policy remembers: recent sends, suppressions, held messages.
    public var contact: ContactState

    public init(
        customerId: String, profile: [String: Value] = [:], instances: [InstanceState] = [],
        entries: [String: EntryRecord] = [:], triggerTimers: [String: Timestamp] = [:],
        contact: ContactState = ContactState()
    ) {
        self.customerId = customerId
        self.profile = profile
        self.instances = instances
        self.entries = entries
        self.triggerTimers = triggerTimers
        self.contact = contact
    }

    enum CodingKeys: String, CodingKey {
        case customerId = "c"
        case profile = "p"
        case instances = "i"
        case entries = "e"
        case triggerTimers = "t"
        case contact = "k"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        customerId = try container.decode(String.self, forKey: .customerId)
        profile = try container.decodeIfPresent([String: Value].self, forKey: .profile) ?? [:]
        instances = try container.decodeIfPresent([InstanceState].self, forKey: .instances) ?? []
        entries = try container.decodeIfPresent([String: EntryRecord].self, forKey: .entries) ?? [:]
        triggerTimers = try container.decodeIfPresent([String: Timestamp].self, forKey: .triggerTimers) ?? [:]
        contact = try container.decodeIfPresent(ContactState.self, forKey: .contact) ?? ContactState()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(customerId, forKey: .customerId)
        if !profile.isEmpty { try container.encode(profile, forKey: .profile) }
        if !instances.isEmpty { try container.encode(instances, forKey: .instances) }
        if !entries.isEmpty { try container.encode(entries, forKey: .entries) }
        if !triggerTimers.isEmpty { try container.encode(triggerTimers, forKey: .triggerTimers) }
        if !contact.isEmpty { try container.encode(contact, forKey: .contact) }
    }

    /// Every timer this state expects to fire, for the runtime to reconcile its timer store.
    public var pendingTimers: [PendingTimer] {
        let instanceTimers = instances.compactMap(\.timer)
        let triggers = triggerTimers.map { PendingTimer(id: $0.key, at: $0.value) }
        let held = contact.held.map { PendingTimer(id: $0.timerId, at: $0.until) }
        return (instanceTimers + triggers + held).sorted { ($0.at, $0.id) < ($1.at, $1.id) }
    }
}

/// When a scenario (or one key of it) was last entered, and how often.
public struct EntryRecord: Sendable, Equatable, Codable {
    public var lastEntered: Timestamp
    public var count: Int

    public init(lastEntered: Timestamp, count: Int) {
        self.lastEntered = lastEntered
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case lastEntered = "l"
        case count = "n"
    }
}

public struct PendingTimer: Sendable, Equatable, Hashable, Codable {
    public var id: String
    public var at: Timestamp

    public init(id: String, at: Timestamp) {
        self.id = id
        self.at = at
    }
}

import EngineCore

/// The result of a backtest, in the shape `--format json` writes (schema `nudge.backtest/1`,
/// documented in docs/scenario-language.md). New fields may be added; none is removed or renamed
/// without a new schema name.
public struct BacktestReport: Sendable, Encodable {
    public static let schema = "nudge.backtest/1"

    public struct PartitionRead: Sendable, Equatable, Encodable {
        public var partition: Int32
        /// First and last offsets inside the window (nil: none).
        public var firstOffset: Int64?
        public var lastOffset: Int64?
        public var records: Int
        /// True when a record stamped at or after `to` ended the read (else the end offset did).
        public var reachedWindowEnd: Bool

        enum CodingKeys: String, CodingKey {
            case partition, records
            case firstOffset = "first_offset"
            case lastOffset = "last_offset"
            case reachedWindowEnd = "reached_window_end"
        }
    }

    public struct Read: Sendable, Encodable {
        public var topic: String
        public var partitions: [PartitionRead]
        /// Records taken from the topic, the ones before the window included.
        public var records: Int
        public var bytes: Int
        /// Records before a partition's window began (a broker that cannot seek by time starts early).
        public var beforeWindow: Int
        /// Records inside the window that decoded to an event.
        public var events: Int
        /// Events no scenario of the files can react to (counted, not replayed).
        public var inert: Int
        /// Records inside the window that did not decode, by the engine's dead-letter reason.
        public var skipped: [String: Int]
        public var skippedTotal: Int
        public var skippedExamples: [SkippedRecord]
        /// Wall time of the read and decode (partitions in parallel).
        public var seconds: Double
        /// Time spent decoding, summed over the partitions (the rest of `seconds` is Kafka).
        public var decodeSeconds: Double

        enum CodingKeys: String, CodingKey {
            case topic, partitions, records, bytes, events, inert, skipped, seconds
            case decodeSeconds = "decode_seconds"
            case beforeWindow = "before_window"
            case skippedTotal = "skipped_total"
            case skippedExamples = "skipped_examples"
        }
    }

    public struct Replay: Sendable, Encodable {
        /// Events fed to the simulator (sampled, not inert).
        public var events: Int
        /// Transitions run: events plus fired timers.
        public var transitions: Int
        public var shards: Int
        public var seconds: Double
        public var eventsPerSecond: Double
        /// Timers still pending at `to` (their instances are counted as `waiting`).
        public var pendingTimers: Int

        enum CodingKeys: String, CodingKey {
            case events, transitions, shards, seconds
            case eventsPerSecond = "events_per_second"
            case pendingTimers = "pending_timers"
        }
    }

    public struct Customers: Sendable, Encodable {
        /// Distinct customer ids among the window's events.
        public var inHistory: Int
        /// `--customers`, when given.
        public var sample: Int?
        /// Customers in the replay (the sample, or all).
        public var replayed: Int

        enum CodingKeys: String, CodingKey {
            case sample, replayed
            case inHistory = "in_history"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(inHistory, forKey: .inHistory)
            try container.encode(sample, forKey: .sample)  // null without --customers
            try container.encode(replayed, forKey: .replayed)
        }
    }

    public struct Hour: Sendable, Equatable, Encodable {
        /// Start of the UTC hour.
        public var hour: Timestamp
        public var counts: BacktestCounts

        enum CodingKeys: String, CodingKey { case hour, counts }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ISO8601.format(hour), forKey: .hour)
            try container.encode(counts, forKey: .counts)
        }
    }

    public struct StepReport: Sendable, Encodable {
        public var step: String
        public var counts: BacktestCounts
        /// Instances at this step when the replay ended.
        public var waiting: Int
        /// Hours with anything counted, in order.
        public var hours: [Hour]
    }

    public struct ScenarioReport: Sendable, Encodable {
        public var id: String
        public var name: String
        public var versions: [Int]
        public var totals: BacktestCounts
        public var waiting: Int
        /// Steps in file order, then any other step counts were found at.
        public var steps: [StepReport]
        public var hours: [Hour]
    }

    public var window: BacktestWindow
    /// The scenario and policy files replayed.
    public var files: [String]
    public var policy: String?
    public var read: Read
    public var replay: Replay
    public var customers: Customers
    public var totals: BacktestCounts
    public var waiting: Int
    public var scenarios: [ScenarioReport]
    /// Records read per second of the whole run (read, decode and replay).
    public var eventsPerSecond: Double
    public var seconds: Double
    /// What a backtest cannot know; the same text in every report.
    public var limitations: [String]

    enum CodingKeys: String, CodingKey {
        case schema, window, files, policy, read, replay, customers, totals, waiting, scenarios, seconds, limitations
        case eventsPerSecond = "events_per_second"
    }

    enum WindowKeys: String, CodingKey { case from, to }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.schema, forKey: .schema)
        var windowContainer = container.nestedContainer(keyedBy: WindowKeys.self, forKey: .window)
        try windowContainer.encode(ISO8601.format(window.from), forKey: .from)
        try windowContainer.encode(ISO8601.format(window.to), forKey: .to)
        try container.encode(files, forKey: .files)
        try container.encode(policy, forKey: .policy)
        try container.encode(read, forKey: .read)
        try container.encode(replay, forKey: .replay)
        try container.encode(customers, forKey: .customers)
        try container.encode(totals, forKey: .totals)
        try container.encode(waiting, forKey: .waiting)
        try container.encode(scenarios, forKey: .scenarios)
        try container.encode(eventsPerSecond, forKey: .eventsPerSecond)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(limitations, forKey: .limitations)
    }

    public static let knownLimitations = [
        "Customers start empty at --from: profiles, running instances and contact history from before it are unknown.",
        "Caps and dedup count only the sends of the scenarios given: sends of other scenarios are unknown unless their files are passed too.",
        "Delivery feedback (the feedback topic: delivered, opened, clicked, bounced) is not replayed; waits on it time out.",
        "Anonymous visitors are not merged into known customers on identify: their events stay under the anonymous id.",
        "Provider rate limits and dispatch failures are not modelled: 'sent' is what the contact policy let through.",
        "Events the candidate scenarios emit (emit steps) are not fed back into the replay.",
    ]
}

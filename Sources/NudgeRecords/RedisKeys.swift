/// The Redis key layout. Every key of one customer carries `{customerId}` as its hash tag, so a
/// customer's state, outbox and content slots share one Redis Cluster slot and change together
/// in one script. Per-partition keys carry `{p<partition>}`. Every key starts with `prefix`, so
/// several deployments (or test runs) can share one Redis.
public struct RedisKeys: Sendable, Equatable {
    public var prefix: String

    public init(prefix: String = "nudge") {
        self.prefix = prefix
    }

    /// Hash: `s` the encoded `CustomerState`, `v` its version, `o:<topic>/<partition>` the last
    /// applied offset from that partition, `a` the known customer this (anonymous) id was merged into.
    public func customer(_ id: String) -> String { "\(prefix):cust:{\(id)}" }
    /// List of outbound records written with the state, drained to Kafka after the write. One per
    /// partition: a customer whose events arrive on two partitions has two, and each partition's
    /// recovery only ever looks at its own.
    public func outbox(_ id: String, partition: Int32) -> String { "\(prefix):outbox:{\(id)}:p\(partition)" }
    /// Hash: slot name -> encoded `SlotContent`, read by the content API.
    public func slots(_ id: String) -> String { "\(prefix):slots:{\(id)}" }

    /// Sorted set of timers owned by a partition: member `customer\u{1F}timerId`, score = due ms.
    public func timers(partition: Int32) -> String { "\(prefix):timers:{p\(partition)}" }
    /// Set of customers of a partition whose outbox may hold records not yet produced.
    public func pendingOutbox(partition: Int32) -> String { "\(prefix):outbox-pending:{p\(partition)}" }
    /// Hash: topic -> offset from which a recovery re-reads that topic's partition to find records
    /// already produced before a crash.
    public func producedCheckpoint(partition: Int32) -> String { "\(prefix):produced:{p\(partition)}" }

    /// Hash: the replan of this partition's customers (`ReplanProgress`): which catalog it is
    /// for, the SCAN cursor to resume from, counts and times. Written by the partition's owner,
    /// read by the admin API.
    public func replan(partition: Int32) -> String { "\(prefix):replan:{p\(partition)}" }
    /// The SCAN pattern of every customer hash under this prefix (glob characters of the prefix
    /// escaped).
    public var customerPattern: String {
        var escaped = ""
        for character in prefix {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + ":cust:{*}"
    }
    /// The customer id of a key from `customer(_:)`, nil for any other key.
    public func customerId(fromKey key: String) -> String? {
        let head = "\(prefix):cust:{"
        guard key.hasPrefix(head), key.hasSuffix("}"), key.count > head.count + 1 else { return nil }
        return String(key.dropFirst(head.count).dropLast())
    }

    /// Counters for gauges that span processes (instances active).
    public var stats: String { "\(prefix):stats" }

    /// Hash of one scenario's report counters for one UTC hour (`hour`: `yyyyMMddHH`), updated in
    /// the same script as the customer's state (so replays never count twice). Fields:
    /// `entered|<step>` (instances started, at their first step) and `completed|<reason>|<step>`
    /// (reason: `goal:<id>`, `exit:<id>`, `end`, `timeout`, `scenario-missing`, `step-limit`;
    /// step: where the instance was when it ended).
    public func report(scenario: String, hour: String) -> String { "\(prefix):report:\(scenario):\(hour)" }
    /// Hash: `waiting|<step>` -> instances of the scenario at that step now.
    public func reportNow(scenario: String) -> String { "\(prefix):report-now:\(scenario)" }

    public static let stateField = "s"
    public static let aliasField = "a"
    public static let versionField = "v"
    public static func offsetField(source: String) -> String { "o:\(source)" }

    public static let timerSeparator: Character = "\u{1F}"
    public static func timerMember(customer: String, timer: String) -> String { "\(customer)\u{1F}\(timer)" }
}

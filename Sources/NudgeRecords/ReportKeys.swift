/// Where the scenario report counters live. On a single Redis they keep the names they always had
/// (`report:<scenario>:<hour>`, `report-now:<scenario>`), changed in the customer's commit script.
/// On Redis Cluster they carry the scenario as their hash tag, so one fold script changes a
/// scenario's counters and its fold marks together (docs/ARCHITECTURE.md, "Redis Cluster").
public enum ReportLayout: Sendable, Equatable {
    case plain
    case scenarioSlot

    public init(cluster: Bool) { self = cluster ? .scenarioSlot : .plain }
}

extension RedisKeys {
    /// Hash of one scenario's counters for one UTC hour (`report(scenario:hour:)` on a single Redis).
    public func report(scenario: String, hour: String, layout: ReportLayout) -> String {
        switch layout {
        case .plain: report(scenario: scenario, hour: hour)
        case .scenarioSlot: "\(prefix):report:{\(scenario)}:\(hour)"
        }
    }

    /// Hash: `waiting|<step>` -> instances at that step now (`reportNow(scenario:)` on a single Redis).
    public func reportNow(scenario: String, layout: ReportLayout) -> String {
        switch layout {
        case .plain: reportNow(scenario: scenario)
        case .scenarioSlot: "\(prefix):report-now:{\(scenario)}"
        }
    }

    /// Cluster only. Hash in the scenario's slot: batch owner (`p<partition>/<token>`, one per
    /// partition assignment) -> `<last batch sequence folded>:<ms of that fold>`, so a fold that
    /// runs again after a crash counts nothing twice.
    public func reportFolds(scenario: String) -> String { "\(prefix):report-fold:{\(scenario)}" }

    /// Cluster only. String in the customer's slot: the report changes of the customer's last
    /// commit from this partition, with the batch's owner and sequence, written by the commit
    /// script and deleted once folded.
    public func reportDeltas(_ id: String, partition: Int32) -> String {
        "\(prefix):report-deltas:{\(id)}:p\(partition)"
    }

    /// Cluster only. Set of a partition's customers whose report changes may not be folded yet
    /// (added before their commits, removed after their delta is deleted), read by recovery.
    public func reportPending(partition: Int32) -> String { "\(prefix):report-pending:{p\(partition)}" }
}

import EngineCore
import NudgeRecords
import ProcessSupport

/// Everything one batch of a partition changes, computed before anything is written.
struct BatchPlan: Sendable {
    /// One customer's atomic write (`CustomerScripts.commit`).
    struct CustomerCommit: Sendable {
        var customerId: String
        /// The version read; the commit fails if the stored one moved since.
        var version: Int64
        var state: CustomerState
        /// `topic/partition` -> last applied offset.
        var offsets: [String: Int64]
        var outbox: [OutboxRecord]
        var slotSets: [String: String]
        var slotDeletes: Set<String>
        /// Inputs applied to this customer, kept so they can be forwarded if the customer turns
        /// out to have been merged into another meanwhile.
        var events: [Event]
        /// Scenario report counters this customer's changes move, written in the same script.
        var reports: [ReportIncrement] = []
    }

    /// One counter change of a scenario report (`RedisKeys.report` / `reportNow`).
    struct ReportIncrement: Sendable, Equatable, Codable {
        var scenario: String
        /// UTC hour bucket (`yyyyMMddHH`), or nil for the live `report-now` hash.
        var hour: String?
        var field: String
        var delta: Int

        /// Short names: on Redis Cluster these are stored per customer and batch (`StoredReportDeltas`).
        enum CodingKeys: String, CodingKey {
            case scenario = "s", hour = "h", field = "f", delta = "d"
        }
    }

    var commits: [String: CustomerCommit] = [:]
    /// Customers in first-seen order, so writes follow the batch order.
    var order: [String] = []
    var timerAdds: [(member: String, due: Timestamp)] = []
    var timerRemovals: [String] = []
    /// Records produced without an outbox (forwards of aliased ids): idempotent downstream.
    var directRecords: [OutboxRecord] = []
    var stats = BatchStats()

    var outbox: [OutboxRecord] { order.flatMap { commits[$0]?.outbox ?? [] } }
}

/// Counts for metrics, gathered while planning.
struct BatchStats: Sendable {
    var eventsApplied = 0
    /// Events skipped unloaded because no scenario listens to them (`ScenarioEngine.mayChange`).
    var eventsInert = 0
    var replaysSkipped = 0
    var timersFired = 0
    var timerLateness: [Duration] = []
    var transitions = 0
    var instancesEntered = 0
    var instancesCompleted = 0
    var conversions = 0
    var messages: [String: Int] = [:]
    var decisions: [String: Int] = [:]
    /// Sent messages a shadow rule of the policy would have stopped, by rule.
    var wouldSuppress: [String: Int] = [:]
    /// Instances that started in a holdout, by arm (`scenario`, `programme`).
    var heldOut: [String: Int] = [:]
    var forwarded = 0
    /// Existing customers replanned (`Input.replan`), and those of them whose state changed.
    var replanned = 0
    var replanChanged = 0
}

import EngineCore
import Logging
import PostgresNIO
import ScenarioStore
import SharedStores

/// What the admin routes for scenarios, customers and reports need beyond `APIDependencies`.
public struct AdminDependencies: Sendable {
    public var postgres: PostgresClient
    public var scenarios: PostgresScenarioStore
    public var timeline: PostgresTimeline
    /// Partitions of the events topic: the engine keeps timers and outboxes per partition, and
    /// an erase looks in each.
    public var partitions: Int
    /// The contact policy this process loaded (`rules/policy.yaml`): the console shows it and
    /// simulates with it.
    public var policy: ContactPolicy
    /// Where the dispatchers read (`topics.outbound`): a held message released for resending goes
    /// back there.
    public var outboundTopic: String

    public init(
        postgres: PostgresClient, partitions: Int, policy: ContactPolicy = .unrestricted,
        outboundTopic: String = "nudge.outbound", logger: Logger
    ) {
        self.postgres = postgres
        self.scenarios = PostgresScenarioStore(client: postgres, logger: logger)
        self.timeline = PostgresTimeline(client: postgres, logger: logger)
        self.partitions = partitions
        self.policy = policy
        self.outboundTopic = outboundTopic
    }
}

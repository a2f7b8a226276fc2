import EngineCore
import Foundation

/// One scenario as deployed: its active version and lifecycle status.
public struct DeployedScenario: Sendable, Equatable {
    public var id: String
    public var activeVersion: Int
    public var status: Scenario.Status
    public var versions: [Int]
    public var updatedAt: Date
}

/// What a deploy did.
public enum DeployOutcome: Sendable, Equatable {
    /// A new version is stored and active.
    case deployed(id: String, version: Int)
    /// The same id, version and content was already there: nothing changed.
    case unchanged(id: String, version: Int)
}

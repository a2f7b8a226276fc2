import Foundation

/// An editor's hold on a scenario (`scenario_locks`, migration 0005): while it lasts, deploys
/// through the API by anyone else are refused. It ends when released or when it expires.
public struct ScenarioLock: Sendable, Equatable {
    public var scenarioId: String
    /// The API key name that holds it (the audit log's actor).
    public var holder: String
    public var acquiredAt: Date
    public var expiresAt: Date

    public init(scenarioId: String, holder: String, acquiredAt: Date, expiresAt: Date) {
        self.scenarioId = scenarioId
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}

/// What taking a lock did.
public enum LockOutcome: Sendable, Equatable {
    /// Taken, or renewed by its holder: it now lasts until `expiresAt`.
    case acquired(ScenarioLock)
    /// Someone else holds it.
    case heldByOther(ScenarioLock)
}

/// What releasing a lock did.
public enum UnlockOutcome: Sendable, Equatable {
    case released
    /// There was no lock in force (never taken, released, or expired): nothing to do.
    case notLocked
    /// Someone else holds it (and the caller may not break it).
    case heldByOther(ScenarioLock)
}

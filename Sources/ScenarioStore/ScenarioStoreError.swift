import EngineCore

/// A deploy, status change or lock that cannot be done, with what and why.
public struct ScenarioStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The file does not load (every error is in `ruleErrors`).
        case invalid
        /// This id and version exist with other content: bump the version.
        case versionConflict = "version_conflict"
        /// A version lower than one already deployed.
        case versionTooLow = "version_too_low"
        /// The deploy was based on a version that is no longer the latest.
        case staleBase = "stale_base"
        /// Another actor holds the scenario's edit lock (`lock` says who and until when).
        case locked
        /// A draft is not deployed.
        case draft
        case notFound = "not_found"
    }

    public var code: Code
    public var message: String
    public var ruleErrors: [RuleError]
    /// The lock in the way, for `locked`.
    public var lock: ScenarioLock?

    public init(_ code: Code, _ message: String, ruleErrors: [RuleError] = [], lock: ScenarioLock? = nil) {
        self.code = code
        self.message = message
        self.ruleErrors = ruleErrors
        self.lock = lock
    }

    public var description: String {
        ([message] + ruleErrors.map(\.description)).joined(separator: "\n")
    }
}

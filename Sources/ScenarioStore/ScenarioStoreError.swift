import EngineCore

/// A deploy or status change that cannot be done, with what and why.
public struct ScenarioStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The file does not load (every error is in `ruleErrors`).
        case invalid
        /// This id and version exist with other content: bump the version.
        case versionConflict = "version_conflict"
        /// A version lower than one already deployed.
        case versionTooLow = "version_too_low"
        /// A draft is not deployed.
        case draft
        case notFound = "not_found"
    }

    public var code: Code
    public var message: String
    public var ruleErrors: [RuleError]

    public init(_ code: Code, _ message: String, ruleErrors: [RuleError] = []) {
        self.code = code
        self.message = message
        self.ruleErrors = ruleErrors
    }

    public var description: String {
        ([message] + ruleErrors.map(\.description)).joined(separator: "\n")
    }
}

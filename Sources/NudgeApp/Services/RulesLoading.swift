import EngineCore

/// Scenario files that cannot be loaded: every error, each with file:line:column.
public struct RulesError: Error, Sendable, CustomStringConvertible {
    public let errors: [RuleError]
    public var description: String {
        "rules are invalid (\(errors.count) error(s)):\n" + errors.map(\.description).joined(separator: "\n")
    }
}

enum RulesLoading {
    /// Loads and validates every scenario under `directory`; refuses to start on any error.
    static func catalog(directory: String) throws -> (ScenarioCatalog, scenarios: Int) {
        let result = RuleFiles.load(paths: [directory])
        guard result.errors.isEmpty else { throw RulesError(errors: result.errors) }
        return (try ScenarioCatalog(result.scenarios), result.scenarios.count)
    }
}

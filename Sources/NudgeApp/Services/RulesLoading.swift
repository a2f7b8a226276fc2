import EngineCore
import RuleFileReader

/// Scenario files that cannot be loaded: every error, each with file:line:column.
public struct RulesError: Error, Sendable, CustomStringConvertible {
    public let errors: [RuleError]
    public var description: String {
        "rules are invalid (\(errors.count) error(s)):\n" + errors.map(\.description).joined(separator: "\n")
    }
}

/// What the engine runs: every scenario version and the contact policy.
struct LoadedRules {
    var catalog: ScenarioCatalog
    var scenarioCount: Int
    var policy: ContactPolicy?
}

enum RulesLoading {
    /// Loads and validates every scenario and the policy under `directory`; refuses to start on
    /// any error.
    static func load(directory: String) throws -> LoadedRules {
        let result = RuleFiles.load(paths: [directory])
        guard result.errors.isEmpty else { throw RulesError(errors: result.errors) }
        guard result.policies.count <= 1 else {
            throw RulesError(errors: result.policies.dropFirst().map {
                RuleError(.duplicate, at: $0.location, "a second contact policy; keep one policy.yaml")
            })
        }
        return LoadedRules(
            catalog: try ScenarioCatalog(result.scenarios), scenarioCount: result.scenarios.count,
            policy: result.policies.first)
    }
}

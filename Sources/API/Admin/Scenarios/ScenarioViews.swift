import EngineCore
import Foundation
import ScenarioStore

/// How the admin API shows scenarios: snake_case JSON, dates as ISO-8601.
struct ScenarioSummaryView: Encodable {
    var id: String
    var activeVersion: Int
    var status: String
    var versions: [Int]
    var updatedAt: Date
    var lock: LockView?

    enum CodingKeys: String, CodingKey {
        case id, status, versions, lock
        case activeVersion = "active_version"
        case updatedAt = "updated_at"
    }

    init(_ scenario: DeployedScenario, lock: ScenarioLock? = nil) {
        id = scenario.id
        activeVersion = scenario.activeVersion
        status = scenario.status.rawValue
        versions = scenario.versions
        updatedAt = scenario.updatedAt
        self.lock = lock.map(LockView.init)
    }
}

/// One scenario with what its active version says about itself.
struct ScenarioDetailView: Encodable {
    var summary: ScenarioSummaryView
    var name: String?
    var description: String?
    var owner: String?
    var start: String?
    var steps: [StepView]

    struct StepView: Encodable {
        var id: String
        var kind: String
    }

    init(_ scenario: DeployedScenario, lock: ScenarioLock?, active: Scenario?) {
        summary = ScenarioSummaryView(scenario, lock: lock)
        name = active?.name
        description = active?.description
        owner = active?.owner
        start = active?.start
        steps =
            active.map { active in
                active.stepOrder.compactMap { id in active.steps[id].map { StepView(id: id, kind: $0.kind.name) } }
            } ?? []
    }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(owner, forKey: .owner)
        try container.encodeIfPresent(start, forKey: .start)
        try container.encode(steps, forKey: .steps)
    }

    enum CodingKeys: String, CodingKey {
        case name, description, owner, start, steps
    }
}

struct VersionView: Encodable {
    var version: Int
    var checksum: String
    var deployedAt: Date
    var deployedBy: String
    var active: Bool

    enum CodingKeys: String, CodingKey {
        case version, checksum, active
        case deployedAt = "deployed_at"
        case deployedBy = "deployed_by"
    }

    init(_ stored: StoredScenarioVersion, activeVersion: Int) {
        version = stored.version
        checksum = stored.checksum
        deployedAt = stored.deployedAt
        deployedBy = stored.deployedBy
        active = stored.version == activeVersion
    }
}

struct LockView: Encodable {
    var scenario: String
    var holder: String
    var acquiredAt: Date
    var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case scenario, holder
        case acquiredAt = "acquired_at"
        case expiresAt = "expires_at"
    }

    init(_ lock: ScenarioLock) {
        scenario = lock.scenarioId
        holder = lock.holder
        acquiredAt = lock.acquiredAt
        expiresAt = lock.expiresAt
    }
}

extension Step.Kind {
    /// The step's keyword in the scenario language.
    var name: String {
        switch self {
        case .wait: "wait"
        case .waitForEvent: "wait_for"
        case .branch: "branch"
        case .split: "split"
        case .send: "send"
        case .show: "show"
        case .set: "set"
        case .emit: "emit"
        case .digest: "digest"
        case .end: "end"
        }
    }
}

extension ProblemDetails {
    /// The problem for a scenario store refusal, with the right status and details.
    init(_ error: ScenarioStoreError) {
        switch error.code {
        case .invalid:
            self.init(
                kind: .invalidScenario, detail: error.message,
                scenarioErrors: error.ruleErrors.map(ProblemDetails.ScenarioError.init))
        case .draft: self.init(kind: .invalidScenario, detail: error.message)
        case .versionConflict, .versionTooLow: self.init(kind: .versionConflict, detail: error.message)
        case .staleBase: self.init(kind: .staleVersion, detail: error.message)
        case .locked:
            self.init(
                kind: .locked, detail: error.message,
                lock: error.lock.map { LockHolder(holder: $0.holder, expiresAt: $0.expiresAt) })
        case .notFound: self.init(kind: .notFound, detail: error.message)
        }
    }
}

extension ProblemDetails.ScenarioError {
    init(_ error: RuleError) {
        self.init(
            line: error.location.line, column: error.location.column, code: error.code.rawValue, message: error.message)
    }
}

import EngineCore
import Synchronization

/// The scenario catalog and contact policy the engine runs, swappable while running (a deploy
/// adds versions; running instances keep finding theirs because a catalog holds every version
/// it was given).
public final class CatalogHolder: Sendable {
    private let current: Mutex<ScenarioEngine>

    public init(_ catalog: ScenarioCatalog, policy: ContactPolicy = .unrestricted) {
        current = Mutex(ScenarioEngine(catalog: catalog, policy: policy))
    }

    public var engine: ScenarioEngine { current.withLock { $0 } }

    public func replace(with catalog: ScenarioCatalog, policy: ContactPolicy) {
        current.withLock { $0 = ScenarioEngine(catalog: catalog, policy: policy) }
    }
}

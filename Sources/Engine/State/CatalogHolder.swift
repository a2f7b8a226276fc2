import EngineCore
import Synchronization

/// The scenario catalog the engine runs, swappable while running (a deploy adds versions;
/// running instances keep finding theirs because a catalog holds every version it was given).
public final class CatalogHolder: Sendable {
    private let current: Mutex<ScenarioEngine>

    public init(_ catalog: ScenarioCatalog) {
        current = Mutex(ScenarioEngine(catalog: catalog))
    }

    public var engine: ScenarioEngine { current.withLock { $0 } }

    public func replace(with catalog: ScenarioCatalog) {
        current.withLock { $0 = ScenarioEngine(catalog: catalog) }
    }
}

import Engine
import EngineCore
import RuleFileReader
import Foundation
import Logging
import ScenarioStore
import ServiceLifecycle

/// Keeps the engine's catalog equal to what is deployed in PostgreSQL: at start it deploys the
/// scenario files of the rules folder (new versions only; a changed file without a new version
/// stops the start with the file and the reason) and loads every stored version; afterwards it
/// polls the catalog revision and swaps in the new catalog when a deploy or a pause changed it.
/// Running instances keep their version: the catalog holds all of them.
struct CatalogSync: Sendable {
    let store: PostgresScenarioStore
    let holder: CatalogHolder
    let policy: ContactPolicy
    let rulesDirectory: String
    let logger: Logger

    func seedAndLoad() async throws -> Int64 {
        let (files, _) = RuleFiles.yamlFiles(in: [rulesDirectory])
        var deployed: [String] = []
        for file in files where !RuleFiles.isPolicyFile(file) {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            do {
                let outcome = try await store.deploy(
                    yaml: String(decoding: data, as: UTF8.self), file: file, by: "rules:\(rulesDirectory)")
                if case .deployed(let id, let version) = outcome { deployed.append("\(id)@\(version)") }
            } catch let error as ScenarioStoreError where error.code == .draft {
                continue
            }
        }
        logger.info("rules deployed", metadata: ["scenarios.deployed": "\(deployed.joined(separator: ","))"])
        return try await load()
    }

    /// Loads the stored catalog into the engine; returns its revision.
    @discardableResult
    func load() async throws -> Int64 {
        let (catalog, revision) = try await store.catalog()
        holder.replace(with: catalog, policy: policy)
        logger.info("catalog loaded", metadata: ["scenarios.revision": "\(revision)"])
        return revision
    }
}

/// Polls the catalog revision and reloads on change, so a deploy reaches running engines
/// without a restart.
struct CatalogReloadService: Service {
    let sync: CatalogSync
    let startup: StartupState
    let interval: Duration

    func run() async throws {
        var current: Int64?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard (try? await startup.check()) != nil else { continue }
            do {
                let revision = try await sync.store.revision()
                if let known = current, known == revision { continue }
                if current == nil, let seeded = startup.catalogRevision, seeded == revision {
                    current = revision
                    continue
                }
                current = try await sync.load()
            } catch {
                sync.logger.warning("catalog reload failed; keeping the current one", metadata: ["error": "\(error)"])
            }
        }
    }
}

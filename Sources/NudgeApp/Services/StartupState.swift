import Synchronization

/// Whether start-up (migrations, topics, rules) has finished; `/ready` reports it as a dependency.
final class StartupState: DependencyCheck, Sendable {
    private let state = Mutex<Result<Void, StartupPending>>(.failure(StartupPending(reason: "starting")))
    private let revision = Mutex<Int64?>(nil)

    /// The catalog revision start-up loaded, so the reloader does not load it twice.
    var catalogRevision: Int64? {
        get { revision.withLock { $0 } }
        set { revision.withLock { $0 = newValue } }
    }

    var name: String { "startup" }

    func check() async throws { try state.withLock { try $0.get() } }

    func finished() { state.withLock { $0 = .success(()) } }

    func failed(_ error: any Error) { state.withLock { $0 = .failure(StartupPending(reason: "failed: \(error)")) } }
}

struct StartupPending: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

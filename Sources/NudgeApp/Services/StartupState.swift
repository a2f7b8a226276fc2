import Synchronization

/// Whether start-up (migrations, topics, rules) has finished; `/ready` reports it as a dependency.
final class StartupState: DependencyCheck, Sendable {
    private let state = Mutex<Result<Void, StartupPending>>(.failure(StartupPending(reason: "starting")))

    var name: String { "startup" }

    func check() async throws { try state.withLock { try $0.get() } }

    func finished() { state.withLock { $0 = .success(()) } }

    func failed(_ error: any Error) { state.withLock { $0 = .failure(StartupPending(reason: "failed: \(error)")) } }
}

struct StartupPending: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

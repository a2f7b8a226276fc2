import ServiceLifecycle

/// Runs a service once start-up (migrations, topics) has finished, so it never sees a missing
/// topic or schema.
struct AfterStartup<Wrapped: Service>: Service {
    let startup: StartupState
    let service: Wrapped

    func run() async throws {
        while (try? await startup.check()) == nil {
            try await Task.sleep(for: .milliseconds(50))
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
        }
        try await service.run()
    }
}

import API
import ServiceLifecycle

/// Produces content impressions in the background for the life of the group; on shutdown it
/// sends what it still holds before the producer flushes.
struct ImpressionService: Service {
    let recorder: ImpressionRecorder

    func run() async throws {
        await cancelWhenGracefulShutdown { await recorder.run() }
    }
}

import Foundation
import Hummingbird
import Prometheus

/// Answers whether a dependency (Kafka, Redis, PostgreSQL) is usable right now.
public protocol DependencyCheck: Sendable {
    var name: String { get }
    func check() async throws
}

/// `/health` (the process is up), `/ready` (every dependency answers), `/metrics` (Prometheus).
struct OperationsRoutes<Context: RequestContext>: Sendable {
    let checks: [any DependencyCheck]
    let registry: PrometheusCollectorRegistry
    let checkTimeout: Duration

    func add(to router: Router<Context>) {
        router.get("health") { _, _ in
            Self.json(status: .ok, ["status": "ok"])
        }
        router.get("ready") { _, _ in
            let results = await checkAll()
            let ready = results.values.allSatisfy { $0 == "ok" }
            var body = results
            body["status"] = ready ? "ready" : "not_ready"
            return Self.json(status: ready ? .ok : .serviceUnavailable, body)
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }

    /// Runs the checks concurrently, each bounded by `checkTimeout`: "ok" or the failure.
    private func checkAll() async -> [String: String] {
        await withTaskGroup(of: (String, String).self) { group in
            for check in checks {
                group.addTask {
                    do {
                        try await withTimeout(checkTimeout) { try await check.check() }
                        return (check.name, "ok")
                    } catch {
                        return (check.name, "\(error)")
                    }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }

    static func json(status: HTTPResponse.Status, _ fields: [String: String]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = (try? encoder.encode(fields)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

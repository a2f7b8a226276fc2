import Foundation
import API
import Hummingbird
import HummingbirdTesting
import Metrics
import Testing

@testable import NudgeApp

@Suite("Operations endpoints")
struct OperationsRoutesTests {
    struct FixedCheck: DependencyCheck {
        let name: String
        let failure: String?
        func check() async throws {
            if let failure { throw StartupPending(reason: failure) }
        }
    }

    struct SlowCheck: DependencyCheck {
        var name: String { "slow" }
        func check() async throws { try await Task.sleep(for: .seconds(30)) }
    }

    func router(_ checks: [any DependencyCheck]) -> Router<APIContext> {
        buildRouter(checks: checks, registry: MetricsBootstrap.prometheus(), readinessTimeout: .milliseconds(200))
    }

    @Test func healthAnswersWithoutDependencies() async throws {
        let app = Application(router: router([FixedCheck(name: "redis", failure: "down")]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
        }
    }

    @Test func readyWhenEveryDependencyAnswers() async throws {
        let app = Application(router: router([FixedCheck(name: "redis", failure: nil), FixedCheck(name: "kafka", failure: nil)]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: response.body))
                #expect(body == ["status": "ready", "redis": "ok", "kafka": "ok"])
            }
        }
    }

    @Test func notReadyNamesTheFailingAndTheSlowDependency() async throws {
        let app = Application(
            router: router([FixedCheck(name: "redis", failure: nil), FixedCheck(name: "postgres", failure: "refused"), SlowCheck()]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: response.body))
                #expect(body["status"] == "not_ready")
                #expect(body["redis"] == "ok")
                #expect(body["postgres"] == "refused")
                #expect(body["slow"]?.contains("timed out") == true)
            }
        }
    }

    @Test func metricsRendersPrometheusText() async throws {
        _ = MetricsBootstrap.prometheus()
        Counter(label: "nudge_test_events_total", dimensions: [("kind", "track")]).increment(by: 3)
        let app = Application(router: router([]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(String(buffer: response.body).contains(#"nudge_test_events_total{kind="track"} 3"#))
            }
        }
    }
}

import API
import AsyncHTTPClient
import Foundation
import Logging
import NudgeApp
import NudgeKafka
import NudgeTestSupport
import Testing

/// schemathesis (PyPI, installed by `scripts/install-deps.sh`) generates requests from
/// openapi.yaml and sends them to `nudge serve` on a real port, the sample rules and connectors
/// deployed, for every operation and with a valid key of each role. It fails on any 5xx, any
/// status code or content type the document does not give for that operation (so every
/// documented 4xx must come as problem+json), any response that does not match its schema, and
/// any operation that answers without the credentials it requires.
@Suite("schemathesis against the live API", .serialized, .timeLimit(.minutes(10)))
struct SchemathesisTests {
    static let checks = [
        "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
        "response_schema_conformance", "ignored_auth",
    ]

    @Test func everyOperationAnswersAsDocumentedForEveryRole() async throws {
        let repository = OpenAPIDocumentTests.documentURL.deletingLastPathComponent()
        let name = "schemathesis-\(UUID().uuidString.prefix(8).lowercased())"
        var config = try await serveProcessConfig(
            name: name, rules: repository.appendingPathComponent("rules").path,
            connectors: repository.appendingPathComponent("connectors").path)
        config.tracking.secret = "schemathesis-tracking-secret-0123456789"
        config.logLevel = .error
        var logger = Logger(label: "nudge.tests.schemathesis")
        logger.logLevel = .error
        let base = "http://127.0.0.1:\(config.http.port)"

        let app = try await NudgeApplication.build(
            config: config, components: [.postgres, .serve, .timeline], logger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.run() }
                defer { group.cancelAll() }
                try await Self.waitUntilReady(base)
                // The roles below admin reach only the admin routes differently: their runs are
                // limited to those; the admin run covers every operation.
                for role in [APIRole.viewer, .editor, .publisher, .admin] {
                    let key = try await APIKeyAdministration.create(
                        postgres: config.postgres, name: "schemathesis-\(role.rawValue)", role: role, actor: "test",
                        logger: logger)
                    let run = try await Self.schemathesis(
                        base: base, bearer: key.secret, adminOnly: role != .admin, examples: role == .admin ? 25 : 10)
                    #expect(run.status == 0, "schemathesis as \(role.rawValue):\n\(run.output.suffix(12_000))")
                    // What was tested, so a run that silently tested nothing cannot pass.
                    #expect(run.output.contains("Tested: "), "\(run.output.suffix(2_000))")
                }
            }
        } catch {
            await TestPostgres.drop(config.postgres)
            throw error
        }
        await TestPostgres.drop(config.postgres)
    }

    static func waitUntilReady(_ base: String) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let response = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: "\(base)/ready"), timeout: .seconds(5))
            if response?.status == .ok { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("nudge serve not ready at \(base) within 60 s")
    }

    /// schemathesis, installed by `scripts/install-deps.sh` into `.tools`.
    static var executable: URL {
        OpenAPIDocumentTests.documentURL.deletingLastPathComponent().appendingPathComponent(".tools/bin/schemathesis")
    }

    /// One run: credentials for every security scheme in a config file of its own, a fixed seed
    /// (the same requests on every CI run; `NUDGE_SCHEMATHESIS_SEED` picks others), and the key
    /// revocation pointed at an id that does not exist so the run cannot revoke its own key.
    static func schemathesis(
        base: String, bearer: String, adminOnly: Bool, examples: Int
    ) async throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestFailure("schemathesis not found at \(executable.path): run scripts/install-deps.sh")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-schemathesis-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = """
            [auth.openapi.apiKey]
            bearer = "\(bearer)"
            [auth.openapi.writeKey]
            username = "\(APITestEnvironment.writeKey)"
            password = ""
            [auth.openapi.siteKey]
            api_key = "\(APITestEnvironment.siteKey)"
            [auth.openapi.siteKeyQuery]
            api_key = "\(APITestEnvironment.siteKey)"

            [[operations]]
            include-name = "DELETE /v1/admin/keys/{id}"
            parameters = { id = 999999999 }
            """
        let settingsFile = folder.appendingPathComponent("schemathesis.toml")
        try settings.write(to: settingsFile, atomically: true, encoding: .utf8)
        let seed = ProcessInfo.processInfo.environment["NUDGE_SCHEMATHESIS_SEED"] ?? "20261207"
        var arguments = [
            "--no-color", "--config-file", settingsFile.path, "run", OpenAPIDocumentTests.documentURL.path,
            "--url", base, "--checks", checks.joined(separator: ","), "--max-examples", String(examples),
            "--seed", seed, "--workers", "1", "--generation-database", "none", "--request-timeout", "10",
        ]
        if adminOnly { arguments += ["--include-path-regex", "^/v1/admin/"] }

        // One worker: CPython 3.11's ast.parse, which hypothesis calls to describe its filters, can
        // fail with "AST constructor recursion depth mismatch" when two threads parse at once.
        // Output to a file and the exit awaited without blocking: the server under test runs on
        // this process's two cooperative threads.
        let outputFile = folder.appendingPathComponent("output.txt")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return (status, (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "")
    }
}

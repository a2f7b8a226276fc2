import API
import Foundation
import Hummingbird
import Testing

@testable import NudgeApp

/// openapi.yaml must describe exactly the routes the server registers.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static var documentURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.yaml")
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// (METHOD, /path) of every operation under `paths:`: a line scan of the document's layout
    /// (paths at two spaces, operations at four).
    static func documentedOperations(_ text: String) -> Set<String> {
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty {
                inPaths = line == "paths:"
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if Self.methods.contains(String(key)) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test func documentMatchesTheRouter() async throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let documented = Self.documentedOperations(text)
        #expect(documented.count > 10)

        let env = try await APITestEnvironment("openapi")
        let registered = try await env.withRouter { router in
            Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        }
        // The operations routes live in NudgeApp's router until both are one router.
        let operations = buildRouter(checks: [], registry: MetricsBootstrap.prometheus(), readinessTimeout: .seconds(1))
        let all = registered.union(operations.routes.map { "\($0.method.rawValue) \($0.path)" })

        #expect(
            documented.subtracting(all).isEmpty, "documented but not served: \(documented.subtracting(all).sorted())")
        #expect(
            all.subtracting(documented).isEmpty, "served but not documented: \(all.subtracting(documented).sorted())")
    }

    @Test func everyOperationHasAnIdOrIsAPreflightAndErrorsAreProblems() throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        #expect(text.hasPrefix("openapi: 3.1"))
        #expect(text.contains("application/problem+json"))
        let ids = text.split(separator: "\n").filter { $0.contains("operationId:") }
        #expect(ids.count == Self.documentedOperations(text).count)
    }
}

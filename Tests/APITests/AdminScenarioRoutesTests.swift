import API
import EngineCore
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// `/v1/admin/scenarios...` against PostgreSQL: roles, deploys with their refusals, versions,
/// validation with line and column, status changes, and what the audit log keeps.
@Suite("Admin API: scenarios", .serialized, .timeLimit(.minutes(2)))
struct AdminScenarioRoutesTests {
    @Test func everyScenarioRouteWantsAKeyWithTheRightRole() async throws {
        try await AdminFixture.run("scenario-roles") { client, keys in
            let yaml = greeterYAML(version: 1)
            let routes: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/v1/admin/scenarios", nil), (.get, "/v1/admin/scenarios/greeter", nil),
                (.get, "/v1/admin/scenarios/greeter/versions", nil),
                (.get, "/v1/admin/scenarios/greeter/versions/1", nil),
                (.get, "/v1/admin/scenarios/greeter/report", nil), (.post, "/v1/admin/scenarios/validate", yaml),
                (.post, "/v1/admin/scenarios/greeter/versions", yaml),
                (.post, "/v1/admin/scenarios/greeter/pause", nil),
                (.post, "/v1/admin/scenarios/greeter/resume", nil), (.post, "/v1/admin/scenarios/greeter/archive", nil),
                (.post, "/v1/admin/scenarios/greeter/lock", nil), (.delete, "/v1/admin/scenarios/greeter/lock", nil),
            ]
            for (method, uri, body) in routes {
                for key in [nil, "nk_not-a-key"] as [String?] {
                    let response = try await client.send(method, uri, key: key, body: body)
                    #expect(response.status == .unauthorized, "\(method) \(uri)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    #expect(problem(response)?.type == "urn:nudge:problem:unauthorized")
                }
            }
            // Below the route's role: 403 and nothing done.
            let forbidden: [(HTTPRequest.Method, String, String?, String)] = [
                (.post, "/v1/admin/scenarios/validate", yaml, keys.viewer),
                (.post, "/v1/admin/scenarios/greeter/versions", yaml, keys.editor),
                (.post, "/v1/admin/scenarios/greeter/pause", nil, keys.editor),
                (.post, "/v1/admin/scenarios/greeter/resume", nil, keys.viewer),
                (.post, "/v1/admin/scenarios/greeter/archive", nil, keys.editor),
                (.post, "/v1/admin/scenarios/greeter/lock", nil, keys.viewer),
                (.delete, "/v1/admin/scenarios/greeter/lock", nil, keys.viewer),
            ]
            for (method, uri, body, key) in forbidden {
                let response = try await client.send(method, uri, key: key, body: body)
                #expect(response.status == .forbidden, "\(method) \(uri)")
                #expect(problem(response)?.type == "urn:nudge:problem:forbidden")
            }
            #expect(try await keys.audit().isEmpty)
            // Viewers read (nothing is deployed yet).
            let list = try await client.send(.get, "/v1/admin/scenarios", key: keys.viewer)
            #expect(list.status == .ok)
            #expect(try list.json()["scenarios"] == .list([]))
        }
    }

    @Test func deployReadAndRefuseConflictingDeploys() async throws {
        try await AdminFixture.run("scenario-deploy") { client, keys in
            let deploy = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions?base_version=0", key: keys.publisher,
                body: greeterYAML(version: 1))
            #expect(deploy.status == .created)
            #expect(deploy.headers[.location] == "/v1/admin/scenarios/greeter/versions/1")
            #expect(try deploy.json() == ["scenario": "greeter", "version": 1, "outcome": "deployed"])

            // The same file again changes nothing.
            let again = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher, body: greeterYAML(version: 1))
            #expect(again.status == .ok)
            #expect(try again.json()["outcome"] == "unchanged")

            // Version 1 with other content; a version not above the latest.
            let conflict = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher,
                body: greeterYAML(version: 1, template: "other"))
            #expect(conflict.status == .conflict)
            #expect(problem(conflict)?.type == "urn:nudge:problem:version-conflict")
            #expect(problem(conflict)?.detail.contains("version 2") == true)

            let v2 = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions?base_version=1", key: keys.publisher,
                body: greeterYAML(version: 2, template: "welcome-v2"))
            #expect(v2.status == .created)
            // Someone who started from version 1 is refused: version 2 is there now.
            let stale = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions?base_version=1", key: keys.otherPublisher,
                body: greeterYAML(version: 3, template: "mine"))
            #expect(stale.status == .conflict)
            #expect(problem(stale)?.type == "urn:nudge:problem:stale-version")
            #expect(problem(stale)?.detail.contains("version 2") == true)
            let tooLow = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher,
                body: greeterYAML(version: 1, template: "x"))
            #expect(tooLow.status == .conflict)

            // Bodies that are not deployable.
            let mismatch = try await client.send(
                .post, "/v1/admin/scenarios/other/versions", key: keys.publisher, body: greeterYAML(version: 3))
            #expect(mismatch.status == .badRequest)
            #expect(problem(mismatch)?.detail.contains("not other") == true)
            let invalid = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher,
                body: greeterYAML(version: 3).replacingOccurrences(of: "next: hello", with: "next: helo"))
            #expect(invalid.status == .unprocessableContent)
            let invalidProblem = problem(invalid)
            #expect(invalidProblem?.type == "urn:nudge:problem:invalid-scenario")
            #expect(invalidProblem?.scenarioErrors?.first?.code == "unknown-step")
            #expect(invalidProblem?.scenarioErrors?.first?.line == 15)
            let draft = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher,
                body: greeterYAML(version: 3, status: "draft"))
            #expect(draft.status == .unprocessableContent)
            let syntax = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher, body: "id: [greeter")
            #expect(syntax.status == .unprocessableContent)
            #expect(problem(syntax)?.scenarioErrors?.first?.code == "yaml-syntax")
            let badBase = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions?base_version=latest", key: keys.publisher,
                body: greeterYAML(version: 3))
            #expect(badBase.status == .badRequest)
            let badId = try await client.send(
                .post, "/v1/admin/scenarios/Greeter!/versions", key: keys.publisher, body: greeterYAML(version: 3))
            #expect(badId.status == .badRequest)

            // Reading what is there.
            let list = try await client.send(.get, "/v1/admin/scenarios", key: keys.viewer)
            guard case .list(let scenarios)? = try list.json()["scenarios"] else { throw TestFailure("no list") }
            #expect(scenarios.count == 1)
            #expect(scenarios.first?[member: "active_version"] == 2)
            #expect(scenarios.first?[member: "versions"] == [1, 2])
            #expect(scenarios.first?[member: "status"] == "active")

            let one = try await client.send(.get, "/v1/admin/scenarios/greeter", key: keys.viewer)
            #expect(one.status == .ok)
            let detail = try one.json()
            #expect(detail["name"] == "Greeter")
            #expect(detail["start"] == "pause")
            #expect(
                detail["steps"]
                    == [
                        ["id": "pause", "kind": "wait"], ["id": "hello", "kind": "send"],
                        ["id": "done", "kind": "end"],
                    ])

            let versions = try await client.send(.get, "/v1/admin/scenarios/greeter/versions", key: keys.viewer)
            guard case .list(let stored)? = try versions.json()["versions"] else { throw TestFailure("no versions") }
            #expect(stored.map { $0[member: "version"] } == [1, 2])
            #expect(stored.map { $0[member: "active"] } == [false, true])
            #expect(stored.map { $0[member: "deployed_by"] } == ["cy", "cy"])

            let source = try await client.send(.get, "/v1/admin/scenarios/greeter/versions/2", key: keys.viewer)
            #expect(source.status == .ok)
            #expect(source.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(source.text == greeterYAML(version: 2, template: "welcome-v2"))

            // Unknown ids.
            for uri in [
                "/v1/admin/scenarios/nope", "/v1/admin/scenarios/nope/versions",
                "/v1/admin/scenarios/greeter/versions/9",
                "/v1/admin/scenarios/nope/report",
            ] {
                let response = try await client.send(.get, uri, key: keys.viewer)
                #expect(response.status == .notFound, "\(uri)")
                #expect(problem(response)?.type == "urn:nudge:problem:not-found")
            }
            let badVersion = try await client.send(.get, "/v1/admin/scenarios/greeter/versions/x", key: keys.viewer)
            #expect(badVersion.status == .badRequest)

            // Deploys are audited with the key's name; refusals are not.
            let audit = try await keys.audit()
            #expect(audit.map(\.action) == ["scenario.deploy", "scenario.deploy"])
            #expect(audit.map(\.subject) == ["greeter@1", "greeter@2"])
            #expect(audit.allSatisfy { $0.actor == "cy" })
            let revision = try await keys.postgres.query(
                "SELECT revision FROM scenario_catalog_revision", logger: TestDatabase.logger)
            for try await value in revision.decode(Int64.self) { #expect(value == 2) }
        }
    }

    @Test func oversizedAndNonTextBodiesAreRefused() async throws {
        try await AdminFixture.run("scenario-limits", config: { $0.maxScenarioBytes = 300 }) { client, keys in
            let large = greeterYAML(version: 1) + "\n# " + String(repeating: "x", count: 400)
            for uri in ["/v1/admin/scenarios/validate", "/v1/admin/scenarios/greeter/versions"] {
                let response = try await client.send(.post, uri, key: keys.publisher, body: large)
                #expect(response.status == .contentTooLarge, "\(uri)")
                #expect(problem(response)?.type == "urn:nudge:problem:body-too-large")
                #expect(problem(response)?.detail.contains("300") == true)
            }
            let binary = try await client.execute(
                uri: "/v1/admin/scenarios/validate", method: .post, headers: AdminFixture.bearer(keys.editor),
                body: ByteBuffer(bytes: [0xFF, 0xFE, 0x00, 0x41])
            ) { $0 }
            #expect(binary.status == .badRequest)
            #expect(problem(binary)?.detail.contains("UTF-8") == true)
            #expect(try await keys.audit().isEmpty)
        }
    }

    @Test func validateAnswersEveryErrorWithLineAndColumn() async throws {
        try await AdminFixture.run("scenario-validate") { client, keys in
            let broken = greeterYAML(version: 1)
                .replacingOccurrences(of: "wait: 1h", with: "wait: 1 hour")
                .replacingOccurrences(of: "next: done", with: "next: dnoe")
            let expected = try #require(ScenarioLoader.load(yaml: broken, file: "body").failure).errors
            let response = try await client.send(.post, "/v1/admin/scenarios/validate", key: keys.editor, body: broken)
            #expect(response.status == .ok)
            let body = try response.json()
            #expect(body["valid"] == false)
            guard case .list(let errors)? = body["errors"] else { throw TestFailure("no errors") }
            #expect(errors.count == expected.count && expected.count >= 2)
            for (error, want) in zip(errors, expected) {
                #expect(error[member: "line"] == .int(Int64(want.location.line)))
                #expect(error[member: "column"] == .int(Int64(want.location.column)))
                #expect(error[member: "code"] == .string(want.code.rawValue))
                #expect(error[member: "message"] == .string(want.message))
            }

            let good = try await client.send(
                .post, "/v1/admin/scenarios/validate", key: keys.editor, body: greeterYAML(version: 4))
            #expect(
                try good.json() == ["valid": true, "id": "greeter", "version": 4, "status": "active", "errors": []])
            _ = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher, body: greeterYAML(version: 2))
            let known = try await client.send(
                .post, "/v1/admin/scenarios/validate", key: keys.editor, body: greeterYAML(version: 3))
            #expect(try known.json()["latest_deployed_version"] == 2)
            // Validation stores nothing.
            #expect(try await keys.audit().map(\.action) == ["scenario.deploy"])
        }
    }

    @Test func pauseResumeAndArchiveChangeTheStatusAndAreAudited() async throws {
        try await AdminFixture.run("scenario-status") { client, keys in
            _ = try await client.send(
                .post, "/v1/admin/scenarios/greeter/versions", key: keys.publisher, body: greeterYAML(version: 1))
            for (action, status) in [("pause", "paused"), ("resume", "active"), ("archive", "archived")] {
                let response = try await client.send(
                    .post, "/v1/admin/scenarios/greeter/\(action)", key: keys.publisher)
                #expect(response.status == .ok)
                #expect(try response.json()["status"] == .string(status))
                let read = try await client.send(.get, "/v1/admin/scenarios/greeter", key: keys.viewer)
                #expect(try read.json()["status"] == .string(status))
            }
            let unknown = try await client.send(.post, "/v1/admin/scenarios/nope/pause", key: keys.publisher)
            #expect(unknown.status == .notFound)
            let audit = try await keys.audit()
            #expect(
                audit.map(\.action) == ["scenario.deploy", "scenario.paused", "scenario.active", "scenario.archived"])
            #expect(audit.dropFirst().allSatisfy { $0.subject == "greeter" && $0.actor == "cy" })
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

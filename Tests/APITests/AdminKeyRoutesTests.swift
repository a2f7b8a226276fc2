import API
import EngineCore
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite("API keys and admin routes", .serialized, .timeLimit(.minutes(2)))
struct AdminKeyRoutesTests {
    static func bearer(_ secret: String) -> HTTPFields { [.authorization: "Bearer \(secret)"] }

    @Test func rolesAreOrdered() {
        #expect(APIRole.viewer < .editor && APIRole.editor < .publisher && APIRole.publisher < .admin)
        #expect(APIRole.allCases.max() == .admin)
    }

    @Test func secretsAreRandomPrefixedAndHashedAsSHA256Hex() {
        let secret = APIKeySecret.generate()
        #expect(secret.hasPrefix("nk_"))
        #expect(secret.count == 3 + 43)
        #expect(!secret.contains("+") && !secret.contains("/") && !secret.contains("="))
        #expect(secret != APIKeySecret.generate())
        #expect(APIKeySecret.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func adminRoutesWithPostgresKeysAndAudit() async throws {
        let env = try await APITestEnvironment("admin")
        try await TestDatabase.withMigratedDatabase { postgres, _ in
            let store = PostgresAPIKeyStore(client: postgres, logger: TestDatabase.logger)
            let audit = PostgresAuditLog(client: postgres, logger: TestDatabase.logger)
            let admin = try await store.create(name: "ops", role: .admin)
            let viewer = try await store.create(name: "dashboard", role: .viewer)
            let config = APITestEnvironment.config { $0.keyCacheTTL = .zero }

            let created: String = try await env.withClient(config: config, keyStore: store, auditLog: audit) { client in
                // No key, a malformed one, an unknown one: 401 with a Bearer challenge.
                for headers in [[:], [.authorization: "Basic eDo="], Self.bearer("nk_unknown")] as [HTTPFields] {
                    try await client.execute(uri: "/v1/admin/keys", method: .get, headers: headers) { response in
                        #expect(response.status == .unauthorized)
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                        #expect(problem(response)?.type == "urn:nudge:problem:unauthorized")
                    }
                }
                // A viewer key is authenticated but not allowed.
                try await client.execute(uri: "/v1/admin/keys", method: .get, headers: Self.bearer(viewer.secret)) {
                    #expect($0.status == .forbidden)
                    #expect(problem($0)?.detail.contains("admin") == true)
                }
                try await client.execute(
                    uri: "/v1/admin/keys", method: .post, headers: Self.bearer(viewer.secret),
                    body: ByteBuffer(json: #"{"name":"x","role":"admin"}"#)
                ) { #expect($0.status == .forbidden) }

                try await client.execute(uri: "/v1/admin/keys", method: .get, headers: Self.bearer(admin.secret)) {
                    response in
                    #expect(response.status == .ok)
                    let text = String(buffer: response.body)
                    #expect(!text.contains("hash") && !text.contains(admin.secret))
                    let keys = try jsonObject(response)["keys"]
                    guard case .list(let list)? = keys else { throw TestFailure("keys is not a list") }
                    #expect(list.map { $0[member: "name"] } == ["ops", "dashboard"])
                    #expect(list.first?[member: "prefix"] == .string(String(admin.secret.prefix(7))))
                }

                try await client.execute(
                    uri: "/v1/admin/keys", method: .post, headers: Self.bearer(admin.secret),
                    body: ByteBuffer(json: #"{"name":"ci","role":"superuser"}"#)
                ) { #expect($0.status == .badRequest) }
                try await client.execute(
                    uri: "/v1/admin/keys", method: .post, headers: Self.bearer(admin.secret),
                    body: ByteBuffer(json: "{")
                ) { #expect(problem($0)?.type == "urn:nudge:problem:invalid-json") }
                // Names identify actors in the audit log: one active key per name, no control characters.
                try await client.execute(
                    uri: "/v1/admin/keys", method: .post, headers: Self.bearer(admin.secret),
                    body: ByteBuffer(json: #"{"name":"dashboard","role":"viewer"}"#)
                ) { response in
                    #expect(response.status == .conflict)
                    #expect(problem(response)?.type == "urn:nudge:problem:name-in-use")
                }
                try await client.execute(
                    uri: "/v1/admin/keys", method: .post, headers: Self.bearer(admin.secret),
                    body: ByteBuffer(json: #"{"name":"ci\u0000","role":"viewer"}"#)
                ) { #expect(problem($0)?.type == "urn:nudge:problem:invalid-request") }

                let secret = try await client.execute(
                    uri: "/v1/admin/keys", method: .post, headers: Self.bearer(admin.secret),
                    body: ByteBuffer(json: #"{"name":"ci","role":"publisher"}"#)
                ) { response in
                    #expect(response.status == .created)
                    let body = try jsonObject(response)
                    #expect(body["key"]?[member: "role"] == "publisher")
                    return body["secret"]?.stringValue ?? ""
                }
                // The new key authenticates (as a publisher: still not admin).
                try await client.execute(uri: "/v1/admin/keys", method: .get, headers: Self.bearer(secret)) {
                    #expect($0.status == .forbidden)
                }
                try await client.execute(
                    uri: "/v1/admin/keys/\(viewer.key.id)", method: .delete, headers: Self.bearer(admin.secret)
                ) { #expect($0.status == .noContent) }
                try await client.execute(
                    uri: "/v1/admin/keys/\(viewer.key.id)", method: .delete, headers: Self.bearer(admin.secret)
                ) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/v1/admin/keys/abc", method: .delete, headers: Self.bearer(admin.secret))
                {
                    #expect($0.status == .badRequest)
                }
                // Revoked: no longer authenticates.
                try await client.execute(uri: "/v1/admin/keys", method: .get, headers: Self.bearer(viewer.secret)) {
                    #expect($0.status == .unauthorized)
                }
                return secret
            }

            // Only the hash is stored.
            let rows = try await postgres.query(
                "SELECT key_hash, key_prefix FROM api_keys WHERE name = 'ci'", logger: TestDatabase.logger)
            var stored: [(String, String)] = []
            for try await row in rows.decode((String, String).self) { stored.append(row) }
            #expect(stored.count == 1)
            #expect(stored.first?.0 == APIKeySecret.hash(created))
            #expect(stored.first?.1 == String(created.prefix(7)))

            let audits = try await postgres.query(
                "SELECT actor, action, subject, detail::text FROM audit_log ORDER BY id", logger: TestDatabase.logger)
            var entries: [(String, String, String, String)] = []
            for try await row in audits.decode((String, String, String, String).self) { entries.append(row) }
            #expect(entries.map(\.0) == ["ops", "ops"])
            #expect(entries.map(\.1) == ["api_key.create", "api_key.revoke"])
            #expect(entries.last?.2 == "api_key:\(viewer.key.id)")
            #expect(entries.first?.3.contains("publisher") == true)
            #expect(entries.allSatisfy { !$0.3.contains(created) })
        }
    }

    @Test func keyLookupsAreCached() async throws {
        let env = try await APITestEnvironment("cache")
        let store = InMemoryAPIKeyStore()
        let admin = try await store.create(name: "ops", role: .admin)
        let config = APITestEnvironment.config { $0.keyCacheTTL = .seconds(60) }
        try await env.withClient(config: config, keyStore: store) { client in
            for _ in 0..<5 {
                try await client.execute(uri: "/v1/admin/keys", method: .get, headers: Self.bearer(admin.secret)) {
                    #expect($0.status == .ok)
                }
                try await client.execute(uri: "/v1/admin/keys", method: .get, headers: Self.bearer("nk_nope")) {
                    #expect($0.status == .unauthorized)
                }
            }
        }
        #expect(store.lookups.load(ordering: .relaxed) == 2)
    }
}

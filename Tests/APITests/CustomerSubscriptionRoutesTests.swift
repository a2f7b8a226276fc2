import API
import EngineCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Customer opt-outs through the admin API", .serialized, .timeLimit(.minutes(2)))
struct CustomerSubscriptionRoutesTests {
    static func bearer(_ secret: String) -> HTTPFields { [.authorization: "Bearer \(secret)"] }

    @Test func anEditorOptsACustomerOutAndTheChangeTravelsAsAnIdentify() async throws {
        let env = try await APITestEnvironment("subscriptions")
        let store = InMemoryAPIKeyStore()
        let audit = InMemoryAuditLog()
        let editor = try await store.create(name: "crm", role: .editor)
        let viewer = try await store.create(name: "dashboard", role: .viewer)
        try await env.withClient(keyStore: store, auditLog: audit) { client in
            let body = #"{"unsubscribed_channels":["sms"],"unsubscribed_topics":["promotions"]}"#
            try await client.execute(
                uri: "/v1/admin/customers/u42/subscriptions", method: .put, headers: Self.bearer(viewer.secret),
                body: ByteBuffer(string: body)
            ) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: "/v1/admin/customers/u42/subscriptions", method: .put, headers: Self.bearer(editor.secret),
                body: ByteBuffer(string: "{}")
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/v1/admin/customers/u42/subscriptions", method: .put, headers: Self.bearer(editor.secret),
                body: ByteBuffer(string: "{not json")
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/v1/admin/customers/u42/subscriptions", method: .put, headers: Self.bearer(editor.secret),
                body: ByteBuffer(string: body)
            ) { #expect($0.status == .accepted) }
        }
        let events = try await env.events()
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.key == "u42")
        #expect(event.object["type"] == "identify")
        #expect(event.object["userId"] == "u42")
        #expect(event.object["traits"]?[member: "unsubscribed_channels"] == .list(["sms"]))
        #expect(event.object["traits"]?[member: "unsubscribed_topics"] == .list(["promotions"]))
        #expect(audit.all.map(\.action) == ["customer.subscriptions"])
        #expect(audit.all.first?.actor == "crm")
        #expect(audit.all.first?.subject == "customer:u42")
    }
}

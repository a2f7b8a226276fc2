import API
import EngineCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Content blocks", .serialized, .timeLimit(.minutes(2)))
struct ContentRoutesTests {
    static let siteKey: HTTPFields = [HTTPField.Name("X-Nudge-Site-Key")!: APITestEnvironment.siteKey]

    @Test func personalizedDefaultAndUnknownSlots() async throws {
        let env = try await APITestEnvironment("content")
        try await env.storeSlot(
            customer: "u-1", slot: "home_hero", payload: ["headline": "Welcome, Ada", "discount": 10])
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/content?customer_id=u-1&slots=home_hero,sidebar,nowhere", method: .get, headers: Self.siteKey
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let slots = try jsonObject(response)["slots"]
                #expect(slots?[member: "home_hero"][member: "source"] == "personalized")
                #expect(slots?[member: "home_hero"][member: "content"] == ["headline": "Welcome, Ada", "discount": 10])
                #expect(slots?[member: "home_hero"][member: "scenario"] == "welcome")
                #expect(
                    slots?[member: "sidebar"] == [
                        "source": "default", "content": ["headline": "Free shipping over 50 EUR"],
                    ])
                #expect(slots?[member: "nowhere"] == .null)
                if case .object(let fields)? = slots { #expect(fields.keys.contains("nowhere")) }
            }
        }
    }

    @Test func impressionsAreProducedForPersonalizedSlotsOnly() async throws {
        let env = try await APITestEnvironment("impressions")
        try await env.storeSlot(
            customer: "u-7", slot: "home_hero", payload: ["headline": "Hi"], scenario: "s1", step: "show")
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/content?customer_id=u-7&slots=home_hero,sidebar&key=\(APITestEnvironment.siteKey)",
                method: .get
            ) { #expect($0.status == .ok) }
            // Nothing personalized: no impression.
            try await client.execute(
                uri: "/v1/content?customer_id=u-8&slots=home_hero,sidebar", method: .get, headers: Self.siteKey
            ) { #expect($0.status == .ok) }
        }
        let events = try await env.waitForEvents(count: 1)
        try #require(events.count == 1)
        #expect(events[0].key == "u-7")
        #expect(events[0].object["event"] == "Content Viewed")
        #expect(events[0].object["userId"] == "u-7")
        #expect(
            events[0].object["properties"] == ["slot": "home_hero", "scenario": "s1", "step": "show", "site": "shop"])
    }

    @Test func anonymousIdMergedIntoKnownCustomerReadsTheKnownSlots() async throws {
        let env = try await APITestEnvironment("alias")
        try await env.storeAlias("anon-1", known: "u-9")
        try await env.storeSlot(customer: "u-9", slot: "home_hero", payload: ["headline": "Welcome back"])
        // The anonymous id's own content is stale after the merge and must not show.
        try await env.storeSlot(customer: "anon-1", slot: "sidebar", payload: ["headline": "Stale"])
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/content?anonymous_id=anon-1&slots=home_hero,sidebar", method: .get, headers: Self.siteKey
            ) { response in
                let slots = try jsonObject(response)["slots"]
                #expect(slots?[member: "home_hero"][member: "content"] == ["headline": "Welcome back"])
                #expect(slots?[member: "sidebar"][member: "source"] == "default")
            }
        }
        let events = try await env.waitForEvents(count: 1)
        try #require(events.count == 1)
        #expect(events[0].key == "u-9")
        #expect(events[0].object["userId"] == "u-9")
        #expect(events[0].object["anonymousId"] == "anon-1")
    }

    @Test func anonymousVisitorStaysAnonymous() async throws {
        let env = try await APITestEnvironment("anon")
        try await env.storeSlot(customer: "anon-2", slot: "home_hero", payload: ["headline": "Hello stranger"])
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/content?anonymous_id=anon-2&slots=home_hero", method: .get, headers: Self.siteKey
            ) { response in
                let slots = try jsonObject(response)["slots"]
                #expect(slots?[member: "home_hero"][member: "source"] == "personalized")
            }
        }
        let events = try await env.waitForEvents(count: 1)
        try #require(events.count == 1)
        #expect(events[0].object["userId"] == nil)
        #expect(events[0].object["anonymousId"] == "anon-2")
    }

    @Test func expiredContentIsAbsent() async throws {
        let env = try await APITestEnvironment("expired")
        try await env.storeSlot(
            customer: "u-3", slot: "sidebar", payload: ["headline": "Old offer"],
            expiresAt: Date().addingTimeInterval(-60))
        try await env.storeSlot(
            customer: "u-3", slot: "home_hero", payload: ["headline": "Live offer"],
            expiresAt: Date().addingTimeInterval(3600))
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/content?customer_id=u-3&slots=sidebar,home_hero", method: .get, headers: Self.siteKey
            ) { response in
                let slots = try jsonObject(response)["slots"]
                #expect(slots?[member: "sidebar"][member: "source"] == "default")
                #expect(slots?[member: "home_hero"][member: "content"] == ["headline": "Live offer"])
                #expect(slots?[member: "home_hero"][member: "expires_at"].stringValue != nil)
            }
        }
    }

    @Test func badRequestsAndWrongKeys() async throws {
        let env = try await APITestEnvironment("content-bad")
        let config = APITestEnvironment.config { $0.maxContentSlots = 2 }
        try await env.withClient(config: config) { client in
            for uri in [
                "/v1/content?customer_id=u&slots=", "/v1/content?customer_id=u", "/v1/content?slots=a",
                "/v1/content?customer_id=u&slots=a,b,c", "/v1/content?customer_id=u&slots=,,",
            ] {
                try await client.execute(uri: uri, method: .get, headers: Self.siteKey) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(problem(response)?.type == "urn:nudge:problem:invalid-request")
                }
            }
            // Repeats and the spaces around names do not count against the limit.
            try await client.execute(
                uri: "/v1/content?customer_id=u&slots=a,%20a%09,b%20", method: .get, headers: Self.siteKey
            ) { response in
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((body?["slots"] as? [String: Any])?.keys.sorted() == ["a", "b"])
            }
            try await client.execute(uri: "/v1/content?customer_id=u&slots=a", method: .get) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/content?customer_id=u&slots=a&key=wrong", method: .get) {
                #expect($0.status == .unauthorized)
            }
            // A write key is not a site key.
            try await client.execute(
                uri: "/v1/content?customer_id=u&slots=a", method: .get,
                headers: [HTTPField.Name("X-Nudge-Site-Key")!: APITestEnvironment.writeKey]
            ) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func corsPreflightAndHeaders() async throws {
        let env = try await APITestEnvironment("content-cors")
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/content?customer_id=u&slots=a", method: .options,
                headers: [
                    .origin: APITestEnvironment.origin, .accessControlRequestMethod: "GET",
                    .accessControlRequestHeaders: "X-Nudge-Site-Key",
                ]
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == APITestEnvironment.origin)
                #expect(response.headers[.accessControlAllowMethods]?.contains("GET") == true)
                #expect(response.headers[.accessControlAllowHeaders]?.contains("X-Nudge-Site-Key") == true)
                #expect(response.headers[.vary] == "Origin")
            }
            try await client.execute(
                uri: "/v1/content", method: .options,
                headers: [.origin: "https://evil.example", .accessControlRequestMethod: "GET"]
            ) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            var headers = Self.siteKey
            headers[.origin] = APITestEnvironment.origin
            try await client.execute(uri: "/v1/content?customer_id=u&slots=sidebar", method: .get, headers: headers) {
                #expect($0.status == .ok)
                #expect($0.headers[.accessControlAllowOrigin] == APITestEnvironment.origin)
            }
            headers[.origin] = "https://evil.example"
            try await client.execute(uri: "/v1/content?customer_id=u&slots=sidebar", method: .get, headers: headers) {
                #expect($0.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }
}

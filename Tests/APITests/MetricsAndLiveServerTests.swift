import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NudgeApp
import Testing

@Suite("Metrics and a live server", .serialized, .timeLimit(.minutes(2)))
struct MetricsAndLiveServerTests {
    static let siteKey: HTTPFields = [HTTPField.Name("X-Nudge-Site-Key")!: APITestEnvironment.siteKey]

    @Test func requestsIngestOutcomesAndContentLatencyAreMeasured() async throws {
        let registry = MetricsBootstrap.prometheus()
        let env = try await APITestEnvironment("metrics")
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/track", method: .post, headers: [.authorization: APITestEnvironment.basicAuth],
                body: ByteBuffer(json: #"{"userId":"u","event":"E"}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/v1/track", method: .post, headers: [.authorization: APITestEnvironment.basicAuth],
                body: ByteBuffer(json: #"{"userId":"u","event":"E","timestamp":"soon"}"#)
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/v1/content?customer_id=u&slots=sidebar", method: .get, headers: Self.siteKey
            ) {
                #expect($0.status == .ok)
            }
        }
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"nudge_api_requests_total{route="/v1/track",method="POST",status="200"}"#))
        #expect(text.contains(#"nudge_api_requests_total{route="/v1/track",method="POST",status="400"}"#))
        #expect(text.contains(#"nudge_api_ingest_events_total{outcome="accepted",source="web"}"#))
        #expect(text.contains(#"nudge_api_ingest_events_total{outcome="rejected",reason="bad_timestamp"}"#))
        #expect(text.contains("nudge_api_content_duration_seconds_bucket"))
    }

    /// Also measures content latency over the loopback: 1,000 sequential requests.
    @Test func liveServerIngestsAndServesContent() async throws {
        let env = try await APITestEnvironment("live")
        try await env.storeSlot(customer: "u-live", slot: "home_hero", payload: ["headline": "Live"])
        let latencies: [Duration] = try await env.withRouter { router in
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: env.logger)
            return try await app.test(.live) { client in
                try await client.execute(
                    uri: "/v1/identify", method: .post, headers: [.authorization: APITestEnvironment.basicAuth],
                    body: ByteBuffer(json: #"{"userId":"u-live","traits":{"first_name":"Ada"}}"#)
                ) { #expect($0.status == .ok) }
                var latencies: [Duration] = []
                for _ in 0..<1000 {
                    let start = ContinuousClock.now
                    try await client.execute(
                        uri: "/v1/content?customer_id=u-live&slots=home_hero,sidebar", method: .get,
                        headers: Self.siteKey
                    ) { #expect($0.status == .ok) }
                    latencies.append(ContinuousClock.now - start)
                }
                return latencies.sorted()
            }
        }
        let p50 = latencies[latencies.count / 2]
        let p99 = latencies[latencies.count * 99 / 100]
        print("content latency over 1000 live requests: p50 \(p50), p99 \(p99), max \(latencies.last ?? .zero)")
        // The identify and the 1,000 impressions of the personalized slot.
        let events = try await env.waitForEvents(count: 1001)
        #expect(events.filter { $0.object["type"] == "identify" }.count == 1)
        #expect(events.filter { $0.object["event"] == "Content Viewed" }.count == 1000)
    }
}

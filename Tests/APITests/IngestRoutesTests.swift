import API
import EngineCore
import Foundation
import Hummingbird
import HummingbirdTesting
import NudgeKafka
import Testing

@Suite("Ingestion (Segment HTTP API)", .serialized, .timeLimit(.minutes(2)))
struct IngestRoutesTests {
    static let track = #"{"userId":"u-1","event":"Product Added","properties":{"sku":"A-1","price":9.5}}"#

    @Test func trackIsProducedKeyedByCustomerAfterDelivery() async throws {
        let env = try await APITestEnvironment("track")
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/track", method: .post, headers: [.authorization: APITestEnvironment.basicAuth],
                body: ByteBuffer(json: Self.track)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"success":true}"#)
            }
        }
        let events = try await env.events()
        try #require(events.count == 1)
        let (key, headers, event) = events[0]
        #expect(key == "u-1")
        #expect(event["type"] == "track")
        #expect(event["event"] == "Product Added")
        #expect(event["messageId"]?.stringValue?.count == 36)
        #expect(event["receivedAt"]?.stringValue != nil)
        #expect(event["timestamp"] == event["receivedAt"])
        #expect(event["properties"] == ["sku": "A-1", "price": 9.5])
        #expect(headers.contains(KafkaHeader(name: "nudge-ingest-source", value: Array("web".utf8))))
    }

    @Test func pathSetsTypeAndWriteKeyInBodyIsAcceptedButNotForwarded() async throws {
        let env = try await APITestEnvironment("types")
        let bodies = [
            (
                "identify",
                #"{"userId":"u-2","anonymousId":"a-2","traits":{"email":"x@example.com"},"writeKey":"wk_test_web"}"#
            ),
            ("page", #"{"anonymousId":"a-3","name":"Home","type":"track","writeKey":"wk_test_web","messageId":"m-3"}"#),
            ("screen", #"{"userId":"u-4","name":"Cart","timestamp":"2025-01-02T03:04:05Z","writeKey":"wk_test_web"}"#),
        ]
        try await env.withClient { client in
            for (path, body) in bodies {
                // analytics.js sends text/plain to avoid a CORS preflight.
                try await client.execute(
                    uri: "/v1/\(path)", method: .post, headers: [.contentType: "text/plain"],
                    body: ByteBuffer(json: body)
                ) { #expect($0.status == .ok, "\(path)") }
            }
        }
        let events = try await env.events().sorted { $0.key < $1.key }
        try #require(events.count == 3)
        #expect(events.map(\.key) == ["a-3", "u-2", "u-4"])
        #expect(events.map { $0.object["type"] } == ["page", "identify", "screen"])
        #expect(events[0].object["messageId"] == "m-3")
        #expect(events[2].object["timestamp"] == "2025-01-02T03:04:05Z")
        #expect(events.allSatisfy { $0.object["writeKey"] == nil })
    }

    @Test func wrongOrMissingWriteKeyIs401Problem() async throws {
        let env = try await APITestEnvironment("auth")
        try await env.withClient { client in
            let wrong = "Basic " + Data("nope:".utf8).base64EncodedString()
            for headers: HTTPFields in [[.authorization: wrong], [:], [.authorization: "Bearer x"]] {
                try await client.execute(
                    uri: "/v1/track", method: .post, headers: headers, body: ByteBuffer(json: Self.track)
                ) {
                    response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == "Basic realm=\"nudge\"")
                    let details = try #require(problem(response))
                    #expect(details.type == "urn:nudge:problem:unauthorized")
                    #expect(details.status == .unauthorized)
                }
            }
        }
        #expect(try await env.events().isEmpty)
    }

    @Test func badJSONAndInvalidEventsAre400Problems() async throws {
        let env = try await APITestEnvironment("bad")
        try await env.withClient { client in
            let auth: HTTPFields = [.authorization: APITestEnvironment.basicAuth]
            try await client.execute(uri: "/v1/track", method: .post, headers: auth, body: ByteBuffer(json: "{nope")) {
                #expect($0.status == .badRequest)
                #expect(problem($0)?.type == "urn:nudge:problem:invalid-json")
            }
            try await client.execute(uri: "/v1/track", method: .post, headers: auth, body: ByteBuffer(json: "[1]")) {
                #expect(problem($0)?.type == "urn:nudge:problem:invalid-json")
            }
            try await client.execute(
                uri: "/v1/track", method: .post, headers: auth, body: ByteBuffer(json: #"{"event":"X"}"#)
            ) {
                #expect($0.status == .badRequest)
                let details = try #require(problem($0))
                #expect(details.type == "urn:nudge:problem:invalid-event")
                #expect(details.detail.contains("userId"))
            }
            try await client.execute(
                uri: "/v1/track", method: .post, headers: auth, body: ByteBuffer(json: #"{"userId":"u"}"#)
            ) { #expect(problem($0)?.detail.contains("'event'") == true) }
        }
        #expect(try await env.events().isEmpty)
    }

    @Test func oversizedEventIs413() async throws {
        let env = try await APITestEnvironment("big")
        let big = #"{"userId":"u","event":"X","properties":{"blob":""# + String(repeating: "x", count: 40_000) + #""}}"#
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/track", method: .post, headers: [.authorization: APITestEnvironment.basicAuth],
                body: ByteBuffer(json: big)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(problem(response)?.type == "urn:nudge:problem:body-too-large")
            }
        }
    }

    @Test func batchProducesEveryEventWithInheritedContext() async throws {
        let env = try await APITestEnvironment("batch")
        let body = """
            {"batch":[
              {"type":"identify","userId":"u-1","traits":{"first_name":"Ada"}},
              {"type":"track","userId":"u-1","event":"Order Completed","properties":{"total":42}},
              {"type":"page","anonymousId":"a-9","name":"Home","context":{"page":{"path":"/"}}}
            ],"context":{"library":{"name":"analytics.js"}},"writeKey":"wk_test_web"}
            """
        try await env.withClient { client in
            try await client.execute(uri: "/v1/batch", method: .post, body: ByteBuffer(json: body)) { response in
                #expect(response.status == .ok)
            }
        }
        let events = try await env.events()
        #expect(events.count == 3)
        let byType = Dictionary(uniqueKeysWithValues: events.map { ($0.object["type"]?.stringValue ?? "", $0) })
        #expect(byType["track"]?.key == "u-1")
        #expect(byType["track"]?.object["context"] == ["library": ["name": "analytics.js"]])
        #expect(byType["page"]?.key == "a-9")
        #expect(byType["page"]?.object["context"] == ["page": ["path": "/"]])
    }

    @Test func batchWithInvalidItemsIsRejectedWholeWithIndexes() async throws {
        let env = try await APITestEnvironment("batchbad")
        let body = """
            {"batch":[
              {"type":"track","userId":"u-1","event":"Fine"},
              {"type":"track","event":"No identity"},
              {"userId":"u-3","event":"No type"},
              "not an object",
              {"type":"track","userId":"u-5","event":"Bad time","timestamp":"yesterday"}
            ]}
            """
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/batch", method: .post, headers: [.authorization: APITestEnvironment.basicAuth],
                body: ByteBuffer(json: body)
            ) { response in
                #expect(response.status == .badRequest)
                let details = try #require(problem(response))
                #expect(details.errors?.map(\.index) == [1, 2, 3, 4])
                #expect(
                    details.errors?.map(\.code) == ["missing_identity", "missing_type", "not_object", "bad_timestamp"])
            }
        }
        #expect(try await env.events().isEmpty)
    }

    @Test func batchLimits() async throws {
        let env = try await APITestEnvironment("limits")
        let config = APITestEnvironment.config {
            $0.maxBatchEvents = 3
            $0.maxBatchBytes = 2_000
        }
        let item = #"{"type":"track","userId":"u","event":"E"}"#
        try await env.withClient(config: config) { client in
            let auth: HTTPFields = [.authorization: APITestEnvironment.basicAuth]
            let four = #"{"batch":["# + Array(repeating: item, count: 4).joined(separator: ",") + "]}"
            try await client.execute(uri: "/v1/batch", method: .post, headers: auth, body: ByteBuffer(json: four)) {
                #expect($0.status == .badRequest)
                #expect(problem($0)?.type == "urn:nudge:problem:batch-too-large")
            }
            let large =
                #"{"batch":[{"type":"track","userId":"u","event":"E","properties":{"p":""#
                + String(repeating: "y", count: 3_000) + #""}}]}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: auth, body: ByteBuffer(json: large)) {
                #expect($0.status == .contentTooLarge)
            }
            try await client.execute(
                uri: "/v1/batch", method: .post, headers: auth, body: ByteBuffer(json: #"{"batch":{}}"#)
            ) {
                #expect($0.status == .badRequest)
                #expect(problem($0)?.type == "urn:nudge:problem:invalid-request")
            }
        }
        #expect(try await env.events().isEmpty)
    }

    @Test func ingestAnswersCORSForConfiguredOrigins() async throws {
        let env = try await APITestEnvironment("cors")
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/track", method: .options,
                headers: [.origin: APITestEnvironment.origin, .accessControlRequestMethod: "POST"]
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == APITestEnvironment.origin)
                #expect(response.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            }
            try await client.execute(
                uri: "/v1/track", method: .post, headers: [.origin: APITestEnvironment.origin],
                body: ByteBuffer(json: #"{"userId":"u","event":"E","writeKey":"wrong"}"#)
            ) { response in
                // Browsers may read the problem too.
                #expect(response.status == .unauthorized)
                #expect(response.headers[.accessControlAllowOrigin] == APITestEnvironment.origin)
            }
        }
    }
}

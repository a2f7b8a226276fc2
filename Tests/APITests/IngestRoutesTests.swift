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

    /// (route, field, wrong value, the problem's detail) for every field the Segment spec types.
    /// `type` is the route's and `receivedAt` the server's, so neither is the client's to get wrong
    /// here (`type` in a batch: below).
    static let wrongTypes: [(String, String, String, String)] = [
        ("track", "event", "123", "'event' must be a string, got a number"),
        ("track", "event", "null", "a track event needs a non-empty 'event'"),
        ("page", "name", "true", "'name' must be a string, got a boolean"),
        ("screen", "name", "[]", "'name' must be a string, got an array"),
        ("track", "userId", "false", "'userId' must be a string (or an integer), got a boolean"),
        ("identify", "userId", "{}", "'userId' must be a string (or an integer), got an object"),
        ("track", "anonymousId", "1.5", "'anonymousId' must be a string (or an integer), got a number"),
        ("track", "messageId", "42", "'messageId' must be a string, got a number"),
        ("track", "timestamp", "1700000000", "'timestamp' must be an ISO-8601 date-time string, got a number"),
        ("page", "originalTimestamp", "{}", "'originalTimestamp' must be an ISO-8601 date-time string, got an object"),
        ("track", "sentAt", "true", "'sentAt' must be an ISO-8601 date-time string, got a boolean"),
        ("track", "sentAt", #""now""#, #"'sentAt' is not an ISO-8601 date-time: "now""#),
        ("track", "properties", "[1,2]", "'properties' must be an object, got an array"),
        ("identify", "traits", #""vip""#, "'traits' must be an object, got a string"),
        ("screen", "context", "7", "'context' must be an object, got a number"),
        ("identify", "context", #"{"traits":[]}"#, "'context.traits' must be an object, got an array"),
        ("track", "integrations", #""all""#, "'integrations' must be an object, got a string"),
    ]

    /// A valid body for the route with `field` set to `json`.
    static func body(_ route: String, _ field: String, _ json: String) -> String {
        var fields: [(String, String)] = [("userId", #""u-1""#)]
        if route == "track" { fields.append(("event", #""Product Added""#)) }
        if route == "page" || route == "screen" { fields.append(("name", #""Home""#)) }
        if let index = fields.firstIndex(where: { $0.0 == field }) {
            fields[index].1 = json
        } else {
            fields.append((field, json))
        }
        return "{" + fields.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
    }

    @Test func aFieldOfTheWrongTypeIs400NamingTheFieldAndTheType() async throws {
        let env = try await APITestEnvironment("wrongtype")
        try await env.withClient { client in
            let auth: HTTPFields = [.authorization: APITestEnvironment.basicAuth]
            for (route, field, json, detail) in Self.wrongTypes {
                let body = Self.body(route, field, json)
                try await client.execute(
                    uri: "/v1/\(route)", method: .post, headers: auth, body: ByteBuffer(json: body)
                ) { response in
                    #expect(response.status == .badRequest, "\(route) \(body)")
                    let details = try #require(problem(response), "\(route) \(body)")
                    #expect(details.type == "urn:nudge:problem:invalid-event", "\(route) \(body)")
                    #expect(details.detail == detail, "\(route) \(body)")
                }
            }
            // Integer ids are taken as their decimal text, and null is absent (timestamp filled in).
            try await client.execute(
                uri: "/v1/track", method: .post, headers: auth,
                body: ByteBuffer(json: #"{"userId":42,"anonymousId":null,"event":"E","timestamp":null}"#)
            ) { #expect($0.status == .ok) }
        }
        let events = try await env.events()
        try #require(events.count == 1)
        #expect(events[0].key == "42")
        #expect(events[0].object["timestamp"] == events[0].object["receivedAt"])
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
              {"type":"track","userId":"u-5","event":"Bad time","timestamp":"yesterday"},
              {"type":123,"userId":"u-6","event":"Numeric type"},
              {"type":"track","userId":"u-7","event":"Numeric id","messageId":7},
              {"type":"track","userId":"u-8","event":"Epoch time","timestamp":1700000000}
            ]}
            """
        try await env.withClient { client in
            try await client.execute(
                uri: "/v1/batch", method: .post, headers: [.authorization: APITestEnvironment.basicAuth],
                body: ByteBuffer(json: body)
            ) { response in
                #expect(response.status == .badRequest)
                let details = try #require(problem(response))
                #expect(details.errors?.map(\.index) == [1, 2, 3, 4, 5, 6, 7])
                #expect(
                    details.errors?.map(\.code) == [
                        "missing_identity", "missing_type", "not_object", "bad_timestamp", "bad_field", "bad_field",
                        "bad_field",
                    ])
                // A value of the wrong type is refused, never replaced by the server's default.
                #expect(
                    details.errors?.suffix(3).map(\.detail) == [
                        "'type' must be a string, got a number", "'messageId' must be a string, got a number",
                        "'timestamp' must be an ISO-8601 date-time string, got a number",
                    ])
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

import EngineCore
import Foundation
import Testing

@testable import Feedback

@Suite("Reading provider callbacks through a mapping")
struct CallbackMappingTests {
    static func path(_ text: String) throws -> JSONPath { try JSONPath(text) }

    /// The SMS gateway's mapping from `connectors/sms.yaml`.
    static func smsMapping(events: String? = nil) throws -> CallbackMapping {
        CallbackMapping(
            events: try events.map(path), messageId: try path("$.reference"), providerMessageId: try path("$.id"),
            status: try path("$.status"),
            statuses: ["delivered": .delivered, "failed": .failed, "undeliverable": .bounced, "2": .opened],
            reason: try path("$.error"), bounceType: try path("$.bounce.type"), url: try path("$.link"),
            eventId: try path("$.event_id"), timestamp: try path("$.timestamp"))
    }

    @Test func readsOneEventWithEveryField() throws {
        let payload: Value = [
            "reference": "m-1", "id": "prov-9", "status": "undeliverable", "error": "number unknown",
            "bounce": ["type": "hard"], "link": "https://x.example.com", "event_id": "ev-1",
            "timestamp": "2024-05-01T10:00:00Z",
        ]
        let (items, ignored) = try Self.smsMapping().read(payload)
        #expect(ignored == 0)
        #expect(
            items == [
                ProviderFeedback(
                    reference: .message("m-1"), status: .bounced, providerStatus: "undeliverable",
                    reason: "number unknown", bounceType: "hard", url: "https://x.example.com", eventId: "ev-1",
                    at: Timestamp(milliseconds: 1_714_557_600_000))
            ])
    }

    @Test func optionalFieldsThatAreAbsentStayNil() throws {
        let (items, _) = try Self.smsMapping().read(["reference": "m-1", "status": "delivered"])
        let item = try #require(items.first)
        #expect(item.reason == nil)
        #expect(item.bounceType == nil)
        #expect(item.url == nil)
        #expect(item.eventId == nil)
        #expect(item.at == nil)
    }

    @Test func readsAListAtTheEventsPathAndCountsIgnoredStatuses() throws {
        let payload: Value = [
            "batch": "b-1",
            "events": [
                ["reference": "m-1", "status": "delivered"],
                ["reference": "m-2", "status": "queued"],
                ["reference": "m-3", "status": "failed", "error": "carrier down"],
                ["reference": "m-4", "status": "accepted"],
            ],
        ]
        let (items, ignored) = try Self.smsMapping(events: "$.events").read(payload)
        #expect(ignored == 2)
        #expect(items.map(\.reference) == [.message("m-1"), .message("m-3")])
        #expect(items.map(\.status) == [.delivered, .failed])
        #expect(items.last?.reason == "carrier down")
    }

    @Test func anEmptyEventListReadsAsNothing() throws {
        let (items, ignored) = try Self.smsMapping(events: "$.events").read(["events": []])
        #expect(items.isEmpty)
        #expect(ignored == 0)
    }

    @Test func readsARootListWithoutAnEventsPath() throws {
        let payload: Value = [["reference": "m-1", "status": "delivered"], ["reference": "m-2", "status": "failed"]]
        let (items, _) = try Self.smsMapping().read(payload)
        #expect(items.map(\.reference) == [.message("m-1"), .message("m-2")])
    }

    @Test(arguments: [
        ["events": "not a list"] as Value, ["other": []] as Value,
        [["reference": "m-1", "status": "delivered"]] as Value,
    ])
    func anEventsPathThatIsNoListIsAnError(payload: Value) throws {
        #expect(throws: CallbackPayloadError(reason: "expected a list of events at $.events")) {
            try Self.smsMapping(events: "$.events").read(payload)
        }
    }

    @Test func anEventWithoutStatusIsAnErrorNamingItsIndexAndPath() throws {
        let payload: Value = [["reference": "m-1", "status": "delivered"], ["reference": "m-2"]]
        #expect(throws: CallbackPayloadError(reason: "event 1: no status at $.status")) {
            try Self.smsMapping().read(payload)
        }
    }

    @Test func aNumericStatusIsMatchedAsText() throws {
        let (items, _) = try Self.smsMapping().read(["reference": "m-1", "status": 2])
        #expect(items.first?.status == .opened)
        #expect(items.first?.providerStatus == "2")
    }

    @Test func ourMessageIdWinsOverTheProvidersAndAnEmptyOneFallsBack() throws {
        let mapping = try Self.smsMapping()
        #expect(
            try mapping.read(["reference": "m-1", "id": "p-1", "status": "delivered"]).items.first?.reference
                == .message("m-1"))
        #expect(
            try mapping.read(["reference": "", "id": "p-1", "status": "delivered"]).items.first?.reference
                == .provider("p-1"))
        #expect(try mapping.read(["id": "p-1", "status": "delivered"]).items.first?.reference == .provider("p-1"))
        #expect(try mapping.read(["id": 12345, "status": "delivered"]).items.first?.reference == .provider("12345"))
    }

    @Test func anEventWithoutAnyMessageReferenceIsAnErrorNamingThePaths() throws {
        #expect(
            throws: CallbackPayloadError(
                reason: "event 0: no message id (message_id at $.reference or provider_message_id at $.id)")
        ) {
            try Self.smsMapping().read(["status": "delivered"])
        }
        let providerOnly = CallbackMapping(
            providerMessageId: try Self.path("$.id"), status: try Self.path("$.status"), statuses: ["ok": .delivered])
        #expect(throws: CallbackPayloadError(reason: "event 0: no message id (provider_message_id at $.id)")) {
            try providerOnly.read(["status": "ok", "reference": "m-1"])
        }
    }

    @Test func anIgnoredStatusNeedsNoMessageReference() throws {
        let (items, ignored) = try Self.smsMapping().read(["status": "queued"])
        #expect(items.isEmpty)
        #expect(ignored == 1)
    }

    static let timestamps: [(Value, Int64?)] = [
        ("2024-05-01T10:00:00Z", 1_714_557_600_000),
        ("2024-05-01T12:00:00.250+02:00", 1_714_557_600_250),
        (1_714_557_600, 1_714_557_600_000),
        (1_714_557_600_123, 1_714_557_600_123),
        ("1714557600", 1_714_557_600_000),
        ("1714557600123", 1_714_557_600_123),
        (1_714_557_600.75, 1_714_557_600_000),
        // The boundary between seconds and milliseconds: 10^11.
        (99_999_999_999, 99_999_999_999_000),
        (100_000_000_000, 100_000_000_000),
        ("yesterday", nil),
        (true, nil),
        (["at": 1], nil),
    ]

    @Test(arguments: timestamps)
    func readsTimestampsAsISOOrEpochSecondsOrMilliseconds(raw: Value, expected: Int64?) throws {
        let (items, _) = try Self.smsMapping().read(["reference": "m-1", "status": "delivered", "timestamp": raw])
        #expect(items.first?.at == expected.map { Timestamp(milliseconds: $0) })
    }

    /// Numbers in a payload are the provider's: an out-of-range one must read as "no timestamp"
    /// (the time received is used), not trap on overflow and take the API process down.
    @Test(arguments: ["-9223372036854775808", "-99999999999999999", "1e300"])
    func anOutOfRangeTimestampDoesNotCrash(json: String) async {
        await #expect(processExitsWith: .success) { [json] in
            let body = #"{"reference":"m-1","status":"delivered","timestamp":"# + json + "}"
            guard let payload = try? JSONDecoder().decode(Value.self, from: Data(body.utf8)),
                let reference = try? JSONPath("$.reference"), let status = try? JSONPath("$.status"),
                let timestamp = try? JSONPath("$.timestamp")
            else { exit(3) }
            let mapping = CallbackMapping(
                messageId: reference, status: status, statuses: ["delivered": .delivered], timestamp: timestamp)
            exit((try? mapping.read(payload))?.items.count == 1 ? 0 : 2)
        }
    }
}

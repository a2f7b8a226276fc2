import Dispatcher
import Engine
import EngineCore
import Foundation
import NudgeRecords
import ProcessSupport
import NudgeRedis
import Testing

/// The on-site connector against the local Redis: a delivered message is the slot content the
/// content API serves. The bytes are read back the way `GET /v1/content` reads them
/// (`HMGET` on the customer's slots hash, then `SlotContent(storedJSON:)`).
@Suite("On-site connector", .serialized, .timeLimit(.minutes(1)))
struct OnsiteConnectorTests {
    static let now = Timestamp(milliseconds: 1_795_000_000_000)

    let kit: DispatchTestKit
    let keys: RedisKeys

    init() throws {
        kit = try DispatchTestKit()
        keys = RedisKeys(prefix: kit.prefix)
    }

    func connector(_ settings: OnsiteSettings) -> OnsiteConnector {
        OnsiteConnector(name: "onsite", settings: settings, redis: kit.redis, keyPrefix: kit.prefix, now: { Self.now })
    }

    func rendered(customer: String, variables: [String: Value]) throws -> RenderedMessage {
        let message = try DispatchTestKit.outbound(
            customer: customer, channel: "onsite", template: "banner", variables: variables, profile: [:])
        return RenderedMessage(
            message: message, parts: ["title": "Welcome back, Ada", "body": "10% off today"], context: [:])
    }

    /// What the content API would read for `slot`: nil when the slot is empty.
    func served(customer: String, slot: String) async throws -> SlotContent? {
        let reply = try await kit.redis.send(RedisCommand("HMGET", keys.slots(customer), slot))
        guard case .bulk(let bytes)? = reply.array?.first else { return nil }
        return try SlotContent(storedJSON: bytes)
    }

    func clean(_ customer: String) async throws {
        _ = try await kit.redis.send(RedisCommand("DEL", keys.slots(customer)))
    }

    @Test func aDeliveryWritesTheSlotTheContentAPIServes() async throws {
        let customer = "onsite-\(UUID().uuidString.prefix(8))"
        let receipt = try await connector(OnsiteSettings(slot: "sidebar", ttl: .days(7)))
            .deliver(try rendered(customer: customer, variables: ["slot": "home_hero"]), recipient: nil)

        #expect(receipt.detail == "slot home_hero")
        let content = try #require(try await served(customer: customer, slot: "home_hero"))
        #expect(
            content
                == SlotContent(
                    payload: ["title": "Welcome back, Ada", "body": "10% off today"], expiresAt: Self.now + .days(7),
                    scenario: "tests", step: "send", updatedAt: Self.now))
        // The message's `slot` variable wins over the connector's default slot.
        #expect(try await served(customer: customer, slot: "sidebar") == nil)
        try await clean(customer)
    }

    @Test func withoutASlotVariableTheConnectorsSlotIsWrittenAndKeptWithoutTTL() async throws {
        let customer = "onsite-\(UUID().uuidString.prefix(8))"
        _ = try await connector(OnsiteSettings(slot: "sidebar"))
            .deliver(try rendered(customer: customer, variables: [:]), recipient: nil)

        let content = try #require(try await served(customer: customer, slot: "sidebar"))
        #expect(content.payload == ["title": "Welcome back, Ada", "body": "10% off today"])
        #expect(content.expiresAt == nil)
        try await clean(customer)
    }

    @Test func aDeliveryReplacesTheSlotsEarlierContent() async throws {
        let customer = "onsite-\(UUID().uuidString.prefix(8))"
        let onsite = connector(OnsiteSettings(slot: "sidebar"))
        _ = try await onsite.deliver(try rendered(customer: customer, variables: [:]), recipient: nil)
        var second = try rendered(customer: customer, variables: [:])
        second.parts = ["title": "New arrivals"]
        _ = try await onsite.deliver(second, recipient: nil)

        #expect(try await served(customer: customer, slot: "sidebar")?.payload == ["title": "New arrivals"])
        try await clean(customer)
    }

    @Test func noSlotAnywhereIsAPermanentFailureThatWritesNothing() async throws {
        let customer = "onsite-\(UUID().uuidString.prefix(8))"
        let message = try rendered(customer: customer, variables: [:])
        do {
            _ = try await connector(OnsiteSettings()).deliver(message, recipient: nil)
            Issue.record("expected a permanent failure")
        } catch {
            #expect(error.kind == .permanent)
            #expect(error.reason.contains("no slot"))
        }
        let exists = try await kit.redis.send(RedisCommand("EXISTS", keys.slots(customer)))
        #expect(exists.int == 0)
    }
}

import NudgeRecords
import ProcessSupport
import EngineCore
import Foundation
import NudgeRedis

/// On-site content as a channel: the rendered parts become the payload of a content slot, which
/// the content API serves to the customer's next page view (`GET /v1/content`).
public struct OnsiteConnector: MessageConnector {
    public let name: String
    private let settings: OnsiteSettings
    private let redis: RedisClient
    private let keys: RedisKeys
    private let now: @Sendable () -> Timestamp

    public init(
        name: String, settings: OnsiteSettings, redis: RedisClient, keyPrefix: String,
        now: @escaping @Sendable () -> Timestamp = { .wallClock() }
    ) {
        self.name = name
        self.settings = settings
        self.redis = redis
        self.keys = RedisKeys(prefix: keyPrefix)
        self.now = now
    }

    public func deliver(_ message: RenderedMessage, recipient: String?) async throws(DeliveryFailure) -> DeliveryReceipt
    {
        let outbound = message.message
        guard let slot = outbound.variables["slot"]?.stringValue ?? settings.slot else {
            throw .permanent("no slot: set the send's `slot` variable or the connector's onsite.slot")
        }
        let at = now()
        let content = SlotContent(
            payload: message.parts.mapValues(Value.string),
            expiresAt: settings.ttl.map { at + $0 }, scenario: outbound.scenario, step: outbound.step, updatedAt: at)
        do {
            let encoded = try JSONEncoder().encode(content)
            _ = try await redis.send(RedisCommand("HSET", keys.slots(outbound.customerId), slot, Array(encoded)))
                .throwingError()
        } catch {
            throw .transient("writing slot \(slot): \(error)")
        }
        return DeliveryReceipt(providerMessageId: nil, detail: "slot \(slot)")
    }
}

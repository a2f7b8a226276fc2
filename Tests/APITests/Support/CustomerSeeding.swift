import Dispatcher
import Engine
import EngineCore
import Foundation
import SharedStores
import NudgeRecords
import ProcessSupport
import NudgeRedis
import PostgresNIO
import Timeline

/// Puts a customer where the engine, the dispatcher and the timeline recorder would have: state,
/// slots, outbox, timers and counters in Redis; messages, statuses and timeline in PostgreSQL.
enum CustomerSeeding {
    static let hour = Timestamp(milliseconds: 1_767_254_400_000)  // 2026-01-01T08:00:00Z

    static func at(minutes: Int64) -> Timestamp { Timestamp(milliseconds: hour.milliseconds + minutes * 60_000) }

    static func state(_ customerId: String) -> CustomerState {
        CustomerState(
            customerId: customerId,
            profile: ["first_name": "Ada", "email": "ada@example.com", "signed_up_at": .timestamp(at(minutes: 0))],
            instances: [
                InstanceState(
                    id: "greeter:1:\(customerId)", scenario: "greeter", version: 1, step: "pause", visits: 1,
                    timer: PendingTimer(id: "greeter:1:\(customerId):pause:1", at: at(minutes: 60)),
                    startedAt: at(minutes: 0)),
                InstanceState(
                    id: "cart:2:\(customerId)", scenario: "cart", version: 2, step: "remind", visits: 1, key: "order-7",
                    startedAt: at(minutes: 5)),
            ],
            triggerTimers: ["absence:winback": at(minutes: 600)])
    }

    /// Redis: the engine's keys for the customer (state on `partition`), and the counters that
    /// include its two instances on top of `others` instances of other customers.
    static func redis(
        _ customerId: String, keys: RedisKeys, redis: RedisClient, partition: Int32 = 1, others: Int = 3
    ) async throws {
        let state = state(customerId)
        var commands = [
            RedisCommand(
                "HSET", keys.customer(customerId), RedisKeys.stateField, Array(try JSONEncoder().encode(state)), "v", 4),
            RedisCommand("HSET", keys.slots(customerId), "home_hero", #"{"payload":{"headline":"Hi Ada"}}"#),
            RedisCommand("RPUSH", keys.outbox(customerId, partition: partition), "pending-record"),
            RedisCommand("SADD", keys.pendingOutbox(partition: partition), customerId),
            RedisCommand("HINCRBY", keys.reportNow(scenario: "greeter"), "waiting|pause", 1 + others),
            RedisCommand("HINCRBY", keys.reportNow(scenario: "cart"), "waiting|remind", 1),
            RedisCommand("HINCRBY", keys.stats, "instances_active", 2 + others),
        ]
        for timer in state.pendingTimers {
            commands.append(
                RedisCommand(
                    "ZADD", keys.timers(partition: partition), Int(timer.at.milliseconds),
                    RedisKeys.timerMember(customer: customerId, timer: timer.id)))
        }
        for reply in try await redis.pipeline(commands) { _ = try reply.throwingError() }
    }

    static func outbound(
        id: String, customer: String, step: String = "hello", at: Timestamp, scenario: String = "greeter"
    ) throws -> OutboundMessage {
        let record: Value = [
            "message_id": .string(id), "customer_id": .string(customer), "channel": "email", "template": "welcome",
            "scenario": .string(scenario), "scenario_version": 1, "step": .string(step), "instance": "i-1",
            "created_at": .int(at.milliseconds), "policy": "sent",
        ]
        return try JSONDecoder().decode(OutboundMessage.self, from: Data(record.jsonText.utf8))
    }

    /// A message's way through the log: each status at `at + n minutes`.
    static func message(
        _ id: String, customer: String, step: String = "hello", statuses: [(MessageStatus, String?)], at: Timestamp,
        log: PostgresMessageLog
    ) async throws {
        let message = MessageLogEntry.Message(try outbound(id: id, customer: customer, step: step, at: at))
        var entries: [MessageLogEntry] = []
        for (offset, (status, reason)) in statuses.enumerated() {
            entries.append(
                MessageLogEntry(
                    messageId: id, customerId: customer, message: offset == 0 ? message : nil, status: status,
                    reason: reason, connector: status == .sent ? "smtp" : nil,
                    providerMessageId: status == .sent ? "p-\(id)" : nil,
                    at: Timestamp(milliseconds: at.milliseconds + Int64(offset) * 60_000),
                    detail: status == .clicked ? ["url": "https://shop.example/sale"] : [:]))
        }
        try await log.record(entries)
    }

    static func timelineEntry(
        customer: String, event: String, kind: Event.Kind = .track, name: String = "Signed Up",
        anonymousId: String? = nil,
        source: CustomerTimelineEntry.Source = .events, at: Timestamp, properties: [String: Value] = [:]
    ) -> CustomerTimelineEntry {
        CustomerTimelineEntry(
            customerId: customer, eventId: event, anonymousId: anonymousId, kind: kind,
            name: kind == .identify ? "" : name,
            source: source, properties: properties, traits: kind == .identify ? ["email": "ada@example.com"] : [:],
            at: Date(at))
    }
}

extension Date {
    init(_ timestamp: Timestamp) { self.init(timeIntervalSince1970: Double(timestamp.milliseconds) / 1000) }
}

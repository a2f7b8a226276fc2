import NudgeRecords
import ProcessSupport
import Foundation
import Logging
import NudgeRedis
import PostgresNIO

/// Reads what a scenario report needs: the engine's hour buckets and live counters from Redis
/// (one pipelined round trip) and message outcomes from the message log (two queries).
struct ScenarioReportReader: Sendable {
    let redis: RedisClient
    let keys: RedisKeys
    let postgres: PostgresClient
    let logger: Logger

    func report(scenario: String, from: Date, to: Date, stepOrder: [String]) async throws -> ScenarioReport {
        var builder = ScenarioReportBuilder(scenario: scenario, from: from, to: to, stepOrder: stepOrder)
        let hours = ScenarioReportBuilder.hours(from: from, to: to)
        let layout = ReportLayout(cluster: redis.config.mode == .cluster)
        let commands =
            hours.map {
                RedisCommand(
                    "HGETALL", keys.report(scenario: scenario, hour: ScenarioReportBuilder.bucket($0), layout: layout))
            }
            + [RedisCommand("HGETALL", keys.reportNow(scenario: scenario, layout: layout))]
        let replies = try await redis.pipeline(commands)
        for (hour, reply) in zip(hours, replies) {
            let fields = try Self.counters(reply)
            if !fields.isEmpty { builder.addEngineCounters(hour: hour, fields: fields) }
        }
        if let live = replies.last { builder.addWaiting(fields: try Self.counters(live)) }

        let byStep = try await postgres.query(
            """
            SELECT m.step, h.status,
                   CASE WHEN h.status = 'suppressed' THEN COALESCE(h.reason, '') ELSE '' END,
                   count(DISTINCT h.message_id)
            FROM message_status_history h JOIN messages m ON m.message_id = h.message_id
            WHERE m.scenario = \(scenario) AND h.at >= \(from) AND h.at < \(to)
            GROUP BY 1, 2, 3
            """, logger: logger)
        for try await (step, status, reason, count) in byStep.decode((String, String, String, Int64).self) {
            builder.addMessages(step: step, status: status, reason: reason, count: Int(count))
        }
        let byHour = try await postgres.query(
            """
            SELECT (floor(extract(epoch FROM h.at) / 3600) * 3600)::bigint, h.status, count(DISTINCT h.message_id)
            FROM message_status_history h JOIN messages m ON m.message_id = h.message_id
            WHERE m.scenario = \(scenario) AND h.at >= \(from) AND h.at < \(to)
            GROUP BY 1, 2
            """, logger: logger)
        for try await (hour, status, count) in byHour.decode((Int64, String, Int64).self) {
            builder.addMessages(hour: Date(timeIntervalSince1970: Double(hour)), status: status, count: Int(count))
        }
        return builder.result
    }

    /// An `HGETALL` reply of counters: field -> integer.
    private static func counters(_ reply: RedisReply) throws -> [String: Int] {
        let items = try reply.throwingError(command: "HGETALL").array ?? []
        var fields: [String: Int] = [:]
        var index = 0
        while index + 1 < items.count {
            if let field = items[index].string, let value = items[index + 1].int { fields[field] = value }
            index += 2
        }
        return fields
    }
}

import EngineCore
import Foundation
import Logging
import PostgresNIO

/// The `customer_timeline` table (migration 0006): written by `TimelineRecorder`, read by the
/// admin API. Writes are idempotent: an entry already there (same customer and event id) is
/// left as it is.
public struct PostgresTimeline: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Inserts the entries in one statement; returns how many were new.
    @discardableResult
    public func record(_ entries: [CustomerTimelineEntry]) async throws -> Int {
        guard !entries.isEmpty else { return 0 }
        var customers: [String] = [], events: [String] = [], anonymous: [String] = [], kinds: [String] = []
        var names: [String] = [], sources: [String] = [], properties: [String] = [], traits: [String] = []
        var times: [Int64] = []
        for entry in entries {
            customers.append(entry.customerId)
            events.append(entry.eventId)
            anonymous.append(entry.anonymousId ?? "")
            kinds.append(entry.kind.rawValue)
            names.append(entry.name)
            sources.append(entry.source.rawValue)
            properties.append(try Self.json(entry.properties))
            traits.append(try Self.json(entry.traits))
            times.append(Int64((entry.at.timeIntervalSince1970 * 1000).rounded()))
        }
        let rows = try await client.query(
            """
            INSERT INTO customer_timeline
                (customer_id, event_id, anonymous_id, kind, name, source, properties, traits, at)
            SELECT customer, event, NULLIF(anonymous, ''), kind, name, source, properties::jsonb, traits::jsonb,
                to_timestamp(at / 1000.0)
            FROM unnest(\(customers), \(events), \(anonymous), \(kinds), \(names), \(sources), \(properties),
                \(traits), \(times)) AS t(customer, event, anonymous, kind, name, source, properties, traits, at)
            ON CONFLICT (customer_id, event_id) DO NOTHING
            RETURNING 1
            """, logger: logger)
        var inserted = 0
        for try await _ in rows { inserted += 1 }
        return inserted
    }

    /// A customer's entries with `from <= at < to`, newest first, at most `limit`.
    public func entries(customerId: String, from: Date, to: Date, limit: Int) async throws -> [CustomerTimelineEntry] {
        let rows = try await client.query(
            """
            SELECT customer_id, event_id, anonymous_id, kind, name, source, properties::text, traits::text, at
            FROM customer_timeline
            WHERE customer_id = \(customerId) AND at >= \(from) AND at < \(to)
            ORDER BY at DESC, event_id
            LIMIT \(limit)
            """, logger: logger)
        var entries: [CustomerTimelineEntry] = []
        for try await row in rows.decode((String, String, String?, String, String, String, String, String, Date).self) {
            let (customer, event, anonymous, kind, name, source, properties, traits, at) = row
            entries.append(
                CustomerTimelineEntry(
                    customerId: customer, eventId: event, anonymousId: anonymous,
                    kind: Event.Kind(rawValue: kind) ?? .track, name: name,
                    source: CustomerTimelineEntry.Source(rawValue: source) ?? .events,
                    properties: Self.object(properties), traits: Self.object(traits), at: at))
        }
        return entries
    }

    private static func json(_ fields: [String: Value]) throws -> String {
        guard !fields.isEmpty else { return "{}" }
        return String(decoding: try JSONEncoder().encode(storable(.object(fields))), as: UTF8.self)
    }

    /// jsonb refuses `\u0000`, which JSON (and so an event's properties) may carry: it is stored
    /// as U+FFFD, in keys and values, so one odd property cannot hold the recorder back.
    static func storable(_ value: Value) -> Value {
        switch value {
        case .string(let text): .string(withoutNUL(text))
        case .list(let items): .list(items.map(storable))
        case .object(let fields):
            .object(
                Dictionary(fields.map { (withoutNUL($0.key), storable($0.value)) }, uniquingKeysWith: { a, _ in a }))
        default: value
        }
    }

    private static func withoutNUL(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    private static func object(_ text: String) -> [String: Value] {
        guard case .object(let fields)? = try? JSONDecoder().decode(Value.self, from: Data(text.utf8)) else {
            return [:]
        }
        return fields
    }
}

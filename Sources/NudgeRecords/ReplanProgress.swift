/// How far the replan of one partition's customers has come (`RedisKeys.replan(partition:)`, a
/// hash). The engine replans existing customers when the live scenarios with date or absence
/// triggers change; the partition's owner scans the customer keys in pages, replans the ones it
/// owns and moves `cursor` after each page is committed, so a crash or a rebalance resumes
/// from the last page rather than from the start (a page done twice changes nothing: a replan is
/// idempotent). Written by the engine, read by the admin API.
public struct ReplanProgress: Sendable, Equatable {
    public static let currentVersion = 1

    /// `id@version` of the live date and absence scenarios this replan is for, sorted.
    public var scenarios: [String]
    /// The Redis SCAN cursor of the next page; meaningless once finished.
    public var cursor: String
    /// Customer keys looked at (all partitions' customers pass by each partition's scan).
    public var scanned: Int
    /// This partition's customers replanned, and how many of them changed (their state written).
    public var replanned: Int
    public var changed: Int
    /// Milliseconds since 1970 (UTC).
    public var startedAt: Int64
    public var finishedAt: Int64?

    public init(
        scenarios: [String], cursor: String = "0", scanned: Int = 0, replanned: Int = 0, changed: Int = 0,
        startedAt: Int64, finishedAt: Int64? = nil
    ) {
        self.scenarios = scenarios
        self.cursor = cursor
        self.scanned = scanned
        self.replanned = replanned
        self.changed = changed
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    public var isFinished: Bool { finishedAt != nil }

    /// The hash's fields, for `HSET` (after a `DEL`: a finished replan has no `finished_at` to
    /// keep from an earlier one).
    public var fields: [(String, String)] {
        var fields: [(String, String)] = [
            ("record_version", String(Self.currentVersion)), ("scenarios", scenarios.joined(separator: ",")),
            ("cursor", cursor), ("scanned", String(scanned)), ("replanned", String(replanned)),
            ("changed", String(changed)), ("started_at", String(startedAt)),
        ]
        if let finishedAt { fields.append(("finished_at", String(finishedAt))) }
        return fields
    }

    /// From `HGETALL`; nil for an empty hash (no replan ever ran for the partition).
    public init?(fields: [String: String]) throws(ReplanProgressError) {
        guard !fields.isEmpty else { return nil }
        let version = try Self.int(fields, "record_version", default: 1)
        guard version <= Self.currentVersion else {
            throw ReplanProgressError(
                field: "record_version", value: String(version), reason: "newer than this Nudge reads")
        }
        let listed = fields["scenarios"] ?? ""
        scenarios = listed.isEmpty ? [] : listed.split(separator: ",").map(String.init)
        cursor = fields["cursor"] ?? "0"
        scanned = try Self.int(fields, "scanned", default: 0)
        replanned = try Self.int(fields, "replanned", default: 0)
        changed = try Self.int(fields, "changed", default: 0)
        startedAt = Int64(try Self.int(fields, "started_at", default: 0))
        finishedAt = try fields["finished_at"].map { _ throws(ReplanProgressError) in
            Int64(try Self.int(fields, "finished_at", default: 0))
        }
    }

    private static func int(_ fields: [String: String], _ name: String, default value: Int) throws(ReplanProgressError)
        -> Int
    {
        guard let text = fields[name] else { return value }
        guard let number = Int(text) else {
            throw ReplanProgressError(field: name, value: text, reason: "not a number")
        }
        return number
    }
}

/// A replan progress hash that cannot be read: which field, what it held, why.
public struct ReplanProgressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var value: String
    public var reason: String

    public init(field: String, value: String, reason: String) {
        self.field = field
        self.value = value
        self.reason = reason
    }

    public var description: String { "replan progress field \(field) = \"\(value)\": \(reason)" }
}

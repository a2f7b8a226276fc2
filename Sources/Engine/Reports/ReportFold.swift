import Foundation

/// One scenario's share of a batch's report changes on Redis Cluster: what one fold script adds
/// to that scenario's counters, marked with the batch's owner and sequence. Pure: the write after
/// the commits and the recovery after a crash build the same folds from the same deltas.
struct ReportFold: Sendable, Equatable {
    struct Count: Sendable, Equatable {
        /// UTC hour bucket, or nil for the live `report-now` hash.
        var hour: String?
        var field: String
        var delta: Int
    }

    var owner: String
    var sequence: Int64
    var scenario: String
    /// Summed per counter, zero sums left out, in a fixed order.
    var counts: [Count]

    /// The folds of one batch (`owner`, `sequence`) from its customers' report changes, one per
    /// scenario with a non-zero change, by scenario id.
    static func folds(owner: String, sequence: Int64, _ increments: [BatchPlan.ReportIncrement]) -> [ReportFold] {
        struct Counter: Hashable {
            var hour: String?
            var field: String
        }
        var sums: [String: [Counter: Int]] = [:]
        for increment in increments {
            sums[increment.scenario, default: [:]][Counter(hour: increment.hour, field: increment.field), default: 0] +=
                increment.delta
        }
        return sums.keys.sorted().compactMap { scenario in
            let counts = (sums[scenario] ?? [:]).filter { $0.value != 0 }
                .sorted { ($0.key.hour ?? "", $0.key.field) < ($1.key.hour ?? "", $1.key.field) }
                .map { Count(hour: $0.key.hour, field: $0.key.field, delta: $0.value) }
            return counts.isEmpty
                ? nil : ReportFold(owner: owner, sequence: sequence, scenario: scenario, counts: counts)
        }
    }
}

/// What the commit script stores in a customer's report-deltas key on Redis Cluster: the report
/// changes of its commit, with the batch they belong to, so a recovery can fold them when a crash
/// came between the commit and the fold.
struct StoredReportDeltas: Sendable, Equatable, Codable {
    var owner: String
    var sequence: Int64
    var increments: [BatchPlan.ReportIncrement]

    enum CodingKeys: String, CodingKey {
        case owner = "o", sequence = "q", increments = "r"
    }

    func encoded() throws -> [UInt8] { Array(try JSONEncoder().encode(self)) }

    static func decode(_ bytes: [UInt8]) throws -> StoredReportDeltas {
        try JSONDecoder().decode(StoredReportDeltas.self, from: Data(bytes))
    }
}

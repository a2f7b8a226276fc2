import EngineCore

/// `--customers N`: the N customers of the history whose stable hash of the id is smallest. The
/// same history gives the same sample on every run and machine, and a larger sample contains a
/// smaller one, so figures can be compared across sample sizes.
enum CustomerSample {
    static func rank(_ customer: String) -> UInt64 { StableHash.fnv1a64("nudge-backtest-sample", customer) }

    static func choose(_ count: Int, from customers: Set<String>) -> Set<String> {
        guard count < customers.count else { return customers }
        guard count > 0 else { return [] }
        // Ties of the 64-bit hash are broken by the id, so the choice never depends on set order.
        let ranked = customers.map { (rank: rank($0), id: $0) }
        let chosen = ranked.sorted { ($0.rank, $0.id) < ($1.rank, $1.id) }.prefix(count)
        return Set(chosen.map(\.id))
    }
}

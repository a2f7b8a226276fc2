import Foundation

/// Crash injection for the effectively-once tests: `NUDGE_FAILPOINTS="after-state-write=0.05"`
/// makes the process kill itself with SIGKILL at that point with that probability, exactly
/// where a real crash would hurt most. Unset (the default), each check is one dictionary lookup
/// on a table read once at start.
public enum FailPoint: String, CaseIterable, Sendable {
    /// Customer states and outboxes are in Redis; nothing produced yet.
    case afterStateWrite = "after-state-write"
    /// Records are on Kafka; outboxes not yet cleared, offsets not yet committed.
    case afterProduce = "after-produce"
    /// Dispatcher: a provider took the message; the dispatch ledger does not know it yet.
    case afterProviderCall = "after-provider-call"
    /// Dispatcher: a batch's messages are sent and logged; offsets not yet committed.
    case afterDispatchBatch = "after-dispatch-batch"

    private static let probabilities: [FailPoint: Double] = {
        guard let spec = ProcessInfo.processInfo.environment["NUDGE_FAILPOINTS"] else { return [:] }
        var table: [FailPoint: Double] = [:]
        for entry in spec.split(separator: ",") {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let point = FailPoint(rawValue: String(parts[0])), let p = Double(parts[1]) else {
                continue
            }
            table[point] = p
        }
        return table
    }()

    public func check() {
        guard let probability = Self.probabilities[self], Double.random(in: 0..<1) < probability else { return }
        FileHandle.standardError.write(Data("failpoint \(rawValue): killing the process\n".utf8))
        kill(getpid(), SIGKILL)
    }
}

import Synchronization

/// One attempt's hand-over hook: records the moment through `record` (the dispatch ledger) and,
/// when that fails, keeps why, so the chain can stop the delivery with the ledger's error rather
/// than count it against the provider.
final class HandOverMark: Sendable {
    private let record: @Sendable () async throws -> Void
    private let failed = Mutex<String?>(nil)

    init(_ record: @escaping @Sendable () async throws -> Void) {
        self.record = record
    }

    /// Why recording failed, if it did.
    var failure: String? { failed.withLock { $0 } }

    func run() async throws(DeliveryFailure) {
        do {
            try await record()
        } catch {
            failed.withLock { $0 = "\(error)" }
            throw .transient("the dispatch ledger could not record the hand-over: \(error)")
        }
    }
}

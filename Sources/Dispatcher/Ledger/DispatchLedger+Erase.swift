import NudgeRedis

extension DispatchLedger {
    /// Deletes the ledger entries of these messages and their provider-id index entries (a
    /// customer's erase: the entries hold the customer id). Returns how many keys were deleted.
    public func forget(
        messageIds: [String], providerIds: [(connector: String, providerMessageId: String)]
    ) async throws -> Int {
        let keys = messageIds.map(messageKey) + providerIds.map { providerKey(connector: $0, providerMessageId: $1) }
        guard !keys.isEmpty else { return 0 }
        // One DEL per key: each message is its own hash tag, so keys may live on different nodes.
        let replies = try await redis.pipeline(keys.map { RedisCommand("DEL", $0) })
        return try replies.reduce(0) { $0 + (try $1.throwingError(command: "DEL").int ?? 0) }
    }
}

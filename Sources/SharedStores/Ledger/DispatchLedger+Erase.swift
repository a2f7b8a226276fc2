import NudgeRedis

extension DispatchLedger {
    /// Deletes the ledger entries of these messages and their provider-id index entries (a
    /// customer's erase: the entries hold the customer id), and takes them out of the held index.
    /// Returns how many keys were deleted.
    public func forget(
        messageIds: [String], providerIds: [(connector: String, providerMessageId: String)]
    ) async throws -> Int {
        let keys = messageIds.map(messageKey) + providerIds.map { providerKey(connector: $0, providerMessageId: $1) }
        guard !keys.isEmpty else { return 0 }
        // One DEL per key: each message is its own hash tag, so keys may live on different nodes.
        var commands = keys.map { RedisCommand("DEL", $0) }
        if !messageIds.isEmpty {
            commands.append(
                RedisCommand("ZREM", arguments: [RedisArgument(heldIndexKey)] + messageIds.map { RedisArgument($0) }))
        }
        let replies = try await redis.pipeline(commands)
        for reply in replies.dropFirst(keys.count) { try reply.throwingError(command: "ZREM") }
        return try replies.prefix(keys.count).reduce(0) { $0 + (try $1.throwingError(command: "DEL").int ?? 0) }
    }
}

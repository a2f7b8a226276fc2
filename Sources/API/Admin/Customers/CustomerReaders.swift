import NudgeRecords
import ProcessSupport
import NudgeRedis
import SharedStores

/// Where a customer is read from and erased: the engine's state in Redis, the message log, the
/// timeline, and the eraser. The admin API's customer routes and the console share them.
struct CustomerReaders: Sendable {
    let redis: RedisClient
    let keys: RedisKeys
    let messages: MessageHistoryReader
    let timeline: PostgresTimeline
    let eraser: CustomerEraser

    func stored(_ id: String) async throws -> StoredCustomer? {
        try await StoredCustomer.read(id, redis: redis, keys: keys)
    }
}

import Foundation
import NudgeRedis
import Testing

@testable import Engine

/// The customer commit script on the real local Redis: every kind of change lands, also in
/// numbers beyond one `unpack` chunk, and a merged or changed customer is left untouched.
@Suite("Customer commit script", .timeLimit(.minutes(2)))
struct CustomerCommitScriptTests {
    let redis = RedisClient(config: Self.config())
    let prefix = "nudge-test:commit:\(UUID().uuidString.prefix(8))"

    static func config() -> RedisConfig {
        let env = ProcessInfo.processInfo.environment
        return RedisConfig(
            host: env["NUDGE_REDIS_HOST"] ?? "127.0.0.1", port: env["NUDGE_REDIS_PORT"].flatMap(Int.init) ?? 16379)
    }

    private var keys: (customer: String, outbox: String, slots: String, reportA: String, reportB: String) {
        ("\(prefix):c", "\(prefix):o", "\(prefix):s", "\(prefix):r1", "\(prefix):r2")
    }

    /// ARGV as the engine builds it (`PartitionPipeline.commitCommand`).
    private func commit(
        version: String, state: String, offsets: [(String, String)], outbox: [String], slotSets: [(String, String)],
        slotDeletes: [String], reports: [(String, Int)]
    ) async throws -> RedisReply {
        var args = [RedisArgument(version), RedisArgument(state), RedisArgument(offsets.count)]
        for (field, offset) in offsets { args += [RedisArgument(field), RedisArgument(offset)] }
        args.append(RedisArgument(outbox.count))
        args += outbox.map { RedisArgument($0) }
        args.append(RedisArgument(slotSets.count))
        for (slot, content) in slotSets { args += [RedisArgument(slot), RedisArgument(content)] }
        args.append(RedisArgument(slotDeletes.count))
        args += slotDeletes.map { RedisArgument($0) }
        args.append(RedisArgument(reports.count))
        for (field, delta) in reports { args += [RedisArgument(field), RedisArgument(delta)] }
        let scriptKeys = [keys.customer, keys.outbox, keys.slots, keys.reportA, keys.reportB].prefix(3 + reports.count)
        return try await redis.eval(CustomerScripts.commit, keys: scriptKeys.map { RedisArgument($0) }, args: args)
    }

    @Test("Thousands of offsets, records and slot changes are all written, in order, with the version bumped")
    func largeCommit() async throws {
        let offsets = (0..<1_501).map { ("o:t/\($0)", "\($0 * 3)") }
        let outbox = (0..<2_345).map { "record-\($0)" }
        let slotSets = (0..<1_200).map { ("slot-\($0)", "content-\($0)") }
        let first = try await commit(
            version: "0", state: "S1", offsets: offsets, outbox: outbox, slotSets: slotSets, slotDeletes: [],
            reports: [("entered", 2), ("sent", 1)])
        #expect(first == .array([.integer(0)]))
        #expect(try await redis.send("HGET", keys.customer, "v").string == "1")
        #expect(try await redis.send("HGET", keys.customer, "s").string == "S1")
        #expect(try await redis.send("HLEN", keys.customer).int == 2 + 1_501)
        #expect(try await redis.send("HGET", keys.customer, "o:t/1500").string == "4500")
        let records = try await redis.send("LRANGE", keys.outbox, 0, -1).array?.compactMap(\.string)
        #expect(records == outbox)
        #expect(try await redis.send("HLEN", keys.slots).int == 1_200)
        #expect(try await redis.send("HGET", keys.reportA, "entered").int == 2)
        #expect(try await redis.send("HGET", keys.reportB, "sent").int == 1)

        // Deletes after sets in the same commit; 1,100 deletes cross a chunk boundary too.
        let second = try await commit(
            version: "1", state: "S2", offsets: [], outbox: [], slotSets: [("slot-0", "new")],
            slotDeletes: (1..<1_101).map { "slot-\($0)" }, reports: [])
        #expect(second == .array([.integer(0)]))
        #expect(try await redis.send("HLEN", keys.slots).int == 100)
        #expect(try await redis.send("HGET", keys.slots, "slot-0").string == "new")
        #expect(try await redis.send("HGET", keys.customer, "v").string == "2")
        try await cleanUp()
    }

    @Test("A stale version or a merged customer writes nothing")
    func refusals() async throws {
        _ = try await commit(
            version: "0", state: "S1", offsets: [], outbox: [], slotSets: [], slotDeletes: [], reports: [])
        let stale = try await commit(
            version: "0", state: "lost", offsets: [("o:x", "1")], outbox: ["r"], slotSets: [], slotDeletes: [],
            reports: [("entered", 1)])
        #expect(stale == .array([.integer(2)]))
        _ = try await redis.send("HSET", keys.customer, "a", "known-1")
        let merged = try await commit(
            version: "1", state: "lost", offsets: [], outbox: ["r"], slotSets: [], slotDeletes: [], reports: [])
        #expect(merged == .array([.integer(1), .bulk(Array("known-1".utf8))]))
        #expect(try await redis.send("HGET", keys.customer, "s").string == "S1")
        #expect(try await redis.send("EXISTS", keys.outbox).int == 0)
        #expect(try await redis.send("EXISTS", keys.reportA).int == 0)
        try await cleanUp()
    }

    private func cleanUp() async throws {
        _ = try await redis.send(
            RedisCommand(
                "DEL",
                arguments: [keys.customer, keys.outbox, keys.slots, keys.reportA, keys.reportB].map {
                    RedisArgument($0)
                }))
    }
}

import NudgeRedis
import Testing

@Suite("Redis pipelines", .timeLimit(.minutes(2)))
struct RedisPipelineTests {
    let client = RedisClient(config: TestRedis.config())

    @Test("10,000 commands in one pipeline return 10,000 replies in order and the data is stored")
    func tenThousandCommands() async throws {
        let prefix = TestRedis.prefix("pipeline")
        // Even positions SET a key of their own, odd ones INCR one counter: INCR replies count up.
        let commands = (0..<10_000).map { index in
            index.isMultiple(of: 2)
                ? RedisCommand("SET", "\(prefix):key:\(index)", "value-\(index)")
                : RedisCommand("INCR", "\(prefix):counter")
        }
        let replies = try await client.pipeline(commands)
        #expect(replies.count == 10_000)
        var expectedCount: Int64 = 0
        for (index, reply) in replies.enumerated() {
            if index.isMultiple(of: 2) {
                #expect(reply == .status("OK"), "reply \(index)")
            } else {
                expectedCount += 1
                #expect(reply == .integer(expectedCount), "reply \(index)")
            }
        }
        #expect(try await client.send("GET", "\(prefix):counter").int == 5_000)
        for index in [0, 2, 4_998, 9_998] {
            #expect(try await client.send("GET", "\(prefix):key:\(index)").string == "value-\(index)")
        }
        #expect(try await TestRedis.keys(under: prefix, client: client).count == 5_001)
        try await TestRedis.cleanUp(prefix, client: client)
        #expect(try await TestRedis.keys(under: prefix, client: client).isEmpty)
    }

    @Test("Concurrent tasks sharing one client each get their own replies")
    func concurrentPipelines() async throws {
        let prefix = TestRedis.prefix("concurrent")
        let client = self.client
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<64 {
                group.addTask {
                    for round in 0..<5 {
                        let commands = (0..<50).flatMap { index in
                            let key = "\(prefix):\(task):\(index)"
                            let value = "t\(task)-r\(round)-i\(index)"
                            return [RedisCommand("SET", key, value), RedisCommand("GET", key)]
                        }
                        let replies = try await client.pipeline(commands)
                        #expect(replies.count == 100)
                        for index in 0..<50 {
                            #expect(replies[2 * index] == .status("OK"))
                            #expect(replies[2 * index + 1].string == "t\(task)-r\(round)-i\(index)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await TestRedis.keys(under: prefix, client: client).count == 64 * 50)
        try await TestRedis.cleanUp(prefix, client: client)
    }

    @Test("Callers sharing one connection's round trips get exactly their own replies, errors and scripts included")
    func callersShareOneConnection() async throws {
        let prefix = TestRedis.prefix("shared-connection")
        // One connection: every concurrent batch waits for it and goes out joined with the others.
        let client = RedisClient(config: TestRedis.config(poolSize: 1))
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1]) -- \(prefix)")
        let counters = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<200 {
                group.addTask {
                    let key = "\(prefix):\(task)"
                    let replies = try await client.pipeline([
                        RedisCommand("SET", key, "v\(task)"),
                        RedisCommand("GET", key),
                        // An error reply belongs to its own command only.
                        RedisCommand("LPUSH", key, "x"),
                        // Not cached on the first round trips: retried after SCRIPT LOAD, in place.
                        .evalSHA(script, keys: [RedisArgument("\(prefix):sum")], args: [RedisArgument(task + 1)]),
                        RedisCommand("INCR", "\(prefix):order"),
                    ])
                    #expect(replies.count == 5)
                    #expect(replies[0] == .status("OK"))
                    #expect(replies[1].string == "v\(task)")
                    #expect(replies[2].errorMessage?.hasPrefix("WRONGTYPE") == true)
                    return [Int64(replies[3].int ?? -1), Int64(replies[4].int ?? -1)]
                }
            }
            var all: [[Int64]] = []
            for try await counters in group { all.append(counters) }
            return all
        }
        // Every INCR ran once, in some order: the orders seen are exactly 1...200.
        #expect(counters.map { $0[1] }.sorted() == Array(1...200))
        #expect(try await client.send("GET", "\(prefix):sum").int == (1...200).reduce(0, +))
        try await TestRedis.cleanUp(prefix, client: client)
    }
}

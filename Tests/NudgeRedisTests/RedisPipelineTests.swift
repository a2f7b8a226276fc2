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
}

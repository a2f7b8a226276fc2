import NudgeRedis
import Testing

@Suite("Redis typed replies", .timeLimit(.minutes(1)))
struct RedisReplyTests {
    let client = RedisClient(config: TestRedis.config())

    @Test("Status, integer, binary bulk, nil and error replies arrive typed")
    func scalarReplies() async throws {
        let prefix = TestRedis.prefix("replies")
        let binary: [UInt8] = [0, 1, 2, 0, 255, 13, 10, 0]
        #expect(try await client.send("PING") == .status("PONG"))
        #expect(try await client.send("SET", "\(prefix):bin", binary) == .status("OK"))
        #expect(try await client.send("GET", "\(prefix):bin") == .bulk(binary))
        #expect(try await client.send("STRLEN", "\(prefix):bin") == .integer(8))
        #expect(try await client.send("INCRBY", "\(prefix):n", 41) == .integer(41))
        #expect(try await client.send("INCR", "\(prefix):n").int == 42)
        #expect(try await client.send("GET", "\(prefix):missing") == .null)
        #expect(try await client.send("SET", "\(prefix):f", 1.5) == .status("OK"))
        #expect(try await client.send("INCRBYFLOAT", "\(prefix):f", 0.25).string == "1.75")

        let replies = try await client.pipeline([
            RedisCommand("INCR", "\(prefix):bin"),
            RedisCommand("GET", "\(prefix):n"),
        ])
        #expect(replies[0].errorMessage?.hasPrefix("ERR") == true)
        #expect(replies[1] == .bulk(Array("42".utf8)))

        let error = try await #require(throws: RedisError.self) {
            try await client.send("LPUSH", "\(prefix):n", "x")
        }
        #expect(error.code == .serverError)
        #expect(error.serverErrorPrefix == "WRONGTYPE")
        #expect(error.command == "LPUSH")
        #expect(!error.description.contains("\"x\""))
        try await TestRedis.cleanUp(prefix, client: client)
    }

    @Test("A script's table arrives as a nested array")
    func nestedArray() async throws {
        let script = RedisScript("return {1, 'two', {3, 'four', {}}, redis.status_reply('FINE'), ARGV[1]}")
        let reply = try await client.eval(script, args: [RedisArgument(bytes: [0, 0xFF])])
        #expect(
            reply
                == .array([
                    .integer(1), .bulk(Array("two".utf8)),
                    .array([.integer(3), .bulk(Array("four".utf8)), .array([])]),
                    .status("FINE"), .bulk([0, 0xFF]),
                ])
        )
        #expect(try await client.send("HGETALL", TestRedis.prefix("empty")) == .array([]))
    }
}

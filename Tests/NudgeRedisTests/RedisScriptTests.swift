import Foundation
import NudgeRedis
import Testing

@Suite("Redis Lua scripts", .timeLimit(.minutes(1)))
struct RedisScriptTests {
    let client = RedisClient(config: TestRedis.config())

    @Test("The SHA-1 computed locally is the one SCRIPT LOAD returns")
    func shaMatchesServer() async throws {
        let script = RedisScript("return 'sha check \(UUID())'")
        #expect(try await client.send("SCRIPT", "LOAD", script.source).string == script.sha1)
    }

    @Test("EVALSHA of an uncached script falls back to SCRIPT LOAD and succeeds")
    func noScriptFallback() async throws {
        let prefix = TestRedis.prefix("script")
        // A source no one loaded before hits NOSCRIPT on the shared server, without SCRIPT FLUSH
        // (which would disturb other suites; the recovery test flushes its own server).
        let script = RedisScript("-- \(UUID())\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])")
        #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(0)]))
        #expect(try await client.eval(script, keys: ["\(prefix):n"], args: [5]) == .integer(5))
        #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(1)]))
        #expect(try await client.eval(script, keys: ["\(prefix):n"], args: [2]) == .integer(7))
        try await TestRedis.cleanUp(prefix, client: client)
    }

    @Test("Uncached scripts inside a pipeline are loaded and their replies land in place")
    func scriptsInPipeline() async throws {
        let prefix = TestRedis.prefix("script-pipeline")
        let script = RedisScript("-- \(UUID())\nreturn redis.call('INCR', KEYS[1])")
        let replies = try await client.pipeline([
            .evalSHA(script, keys: ["\(prefix):a"]),
            RedisCommand("SET", "\(prefix):b", "x"),
            .evalSHA(script, keys: ["\(prefix):a"]),
        ])
        #expect(replies.count == 3)
        #expect(Set([replies[0], replies[2]]) == [.integer(1), .integer(2)])
        #expect(replies[1] == .status("OK"))
        try await TestRedis.cleanUp(prefix, client: client)
    }

    @Test("A script error surfaces as a server error with its message")
    func scriptErrors() async throws {
        let failing = RedisScript("-- \(UUID())\nreturn redis.error_reply('quota exceeded for scenario')")
        let error = try await #require(throws: RedisError.self) { try await client.eval(failing) }
        #expect(error.code == .serverError)
        #expect(error.message.contains("quota exceeded for scenario"))
        #expect(error.command == "EVALSHA")

        let crashing = RedisScript("-- \(UUID())\nerror('boom')")
        let crash = try await #require(throws: RedisError.self) { try await client.eval(crashing) }
        #expect(crash.code == .serverError)
        #expect(crash.message.contains("boom"))

        let broken = RedisScript("return (")
        let compile = try await #require(throws: RedisError.self) { try await client.eval(broken) }
        #expect(compile.code == .serverError)
        #expect(compile.message.contains("Error compiling script"))
    }
}

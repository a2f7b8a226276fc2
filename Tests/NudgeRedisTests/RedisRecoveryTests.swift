import NudgeRedis
import Testing

@Suite("Redis timeouts and recovery", .timeLimit(.minutes(2)))
struct RedisRecoveryTests {
    @Test("A command blocked past the command timeout throws .timeout and the client stays usable")
    func commandTimeout() async throws {
        let client = RedisClient(config: TestRedis.config(poolSize: 1, commandTimeout: .milliseconds(500)))
        let list = TestRedis.prefix("timeout") + ":list"
        let clock = ContinuousClock()
        let start = clock.now
        let error = try await #require(throws: RedisError.self) {
            try await client.send("BLPOP", list, 10)
        }
        let elapsed = clock.now - start
        #expect(error.code == .timeout)
        #expect(error.command == "BLPOP")
        #expect(error.endpoint == client.config.endpoint)
        #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(3), "took \(elapsed)")

        // Same client, same (reconnected) pool slot.
        #expect(try await client.send("PING") == .status("PONG"))
        // A per-call timeout above the server-side one lets a blocking command finish normally.
        #expect(try await client.send(RedisCommand("BLPOP", list, 1), timeout: .seconds(3)) == .null)
    }

    @Test("Commands fail with typed errors while the server is down and succeed after its restart")
    func restartRecovery() async throws {
        let server = try ThrowawayRedis(arguments: ["--requirepass", "test-secret"])
        let config = RedisConfig(
            port: server.port, password: "test-secret", database: 2, poolSize: 3,
            connectTimeout: .milliseconds(500), commandTimeout: .seconds(2),
            reconnectAttempts: 3, reconnectBackoff: .milliseconds(50)
        )
        let client = RedisClient(config: config)
        let script = RedisScript("return redis.call('GET', KEYS[1])")
        // Open every pool connection.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask { _ = try await client.send("SET", "k\(index)", "before") }
            }
            try await group.waitForAll()
        }
        #expect(try await client.eval(script, keys: ["k0"]).string == "before")

        // A command in flight when the server dies fails clearly and is not resent.
        let blocked = Task { try await client.send(RedisCommand("BLPOP", "list", 30), timeout: .seconds(40)) }
        // Kill only once the server has the BLPOP (a fixed sleep raced a busy machine: the command
        // then found the server gone before it was sent, a connection failure, not a closed one).
        let blockedDeadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < blockedDeadline {
            let info = try await client.send("INFO", "clients").string ?? ""
            if info.contains("blocked_clients:1") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        server.kill()
        switch await blocked.result {
        case .success(let reply): Issue.record("BLPOP returned \(reply) from a killed server")
        case .failure(let error as RedisError): #expect(error.code == .connectionClosed, "\(error)")
        case .failure(let error): Issue.record("untyped error \(error)")
        }

        let clock = ContinuousClock()
        for _ in 0..<3 {
            let start = clock.now
            let error = try await #require(throws: RedisError.self) { try await client.send("GET", "k0") }
            #expect(error.code == .connectionFailed || error.code == .connectionClosed, "\(error)")
            #expect(error.endpoint == config.endpoint)
            #expect(clock.now - start < .seconds(3))
            #expect(!error.description.contains("test-secret"))
        }

        try server.start()
        // The same client works again at once: each pooled connection notices the closed socket
        // and reconnects (with AUTH and SELECT) before sending. Data is gone (no persistence).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask { () async throws in
                    #expect(try await client.send("GET", "k\(index)") == .null)
                    #expect(try await client.send("SET", "k\(index)", "after") == .status("OK"))
                }
            }
            try await group.waitForAll()
        }
        // SELECT was applied again: the keys live in database 2.
        let dbInfo = try await client.send("CLIENT", "INFO").string ?? ""
        #expect(dbInfo.contains(" db=2 "))
        // The script cache died with the server; EVALSHA recovers through SCRIPT LOAD.
        #expect(try await client.eval(script, keys: ["k0"]).string == "after")
        #expect(try await client.send("SCRIPT", "FLUSH") == .status("OK"))
        #expect(try await client.eval(script, keys: ["k1"]).string == "after")
    }

    @Test("A wrong password fails with .connectionFailed and without the password in the message")
    func wrongPassword() async throws {
        let server = try ThrowawayRedis(arguments: ["--requirepass", "right-secret"])
        let client = RedisClient(config: RedisConfig(port: server.port, password: "wrong-secret", reconnectAttempts: 1))
        let error = try await #require(throws: RedisError.self) { try await client.send("PING") }
        #expect(error.code == .connectionFailed)
        #expect(!error.description.contains("secret"))
    }

    @Test("No server: .connectionFailed within the connect attempts")
    func nothingListening() async throws {
        let server = try ThrowawayRedis()
        server.kill()
        let client = RedisClient(config: RedisConfig(port: server.port, reconnectAttempts: 2))
        let error = try await #require(throws: RedisError.self) { try await client.send("PING") }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("connect failed"))
        #expect(error.command == "PING")
    }
}

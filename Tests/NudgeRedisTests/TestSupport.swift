import Foundation
import NudgeRedis

#if canImport(Glibc)
    import Glibc
#endif

/// The shared local Redis (`scripts/stack.sh start redis`). Tests fail, never skip, when it is down.
enum TestRedis {
    static func config(
        poolSize: Int = 4,
        commandTimeout: Duration = .seconds(5)
    ) -> RedisConfig {
        let environment = ProcessInfo.processInfo.environment
        return RedisConfig(
            host: environment["NUDGE_REDIS_HOST"] ?? "127.0.0.1",
            port: environment["NUDGE_REDIS_PORT"].flatMap(Int.init) ?? 16379,
            poolSize: poolSize,
            connectTimeout: .seconds(2),
            commandTimeout: commandTimeout
        )
    }

    /// A key prefix no other test or run uses, so tests can share the server and run in parallel.
    static func prefix(_ test: String) -> String {
        "nudge-test:\(test):\(UUID().uuidString.prefix(8))"
    }

    /// Every key under `prefix`, by SCAN (DBSIZE would count other suites' keys too).
    static func keys(under prefix: String, client: RedisClient) async throws -> [String] {
        var cursor = "0"
        var keys: [String] = []
        repeat {
            let reply = try await client.send("SCAN", cursor, "MATCH", prefix + ":*", "COUNT", 1000)
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let batch = parts[1].array
            else { throw RedisError(code: .protocolError, message: "unexpected SCAN reply") }
            keys += batch.compactMap(\.string)
            cursor = next
        } while cursor != "0"
        return keys
    }

    /// Deletes every key under `prefix`: UNLINK in one pipeline.
    static func cleanUp(_ prefix: String, client: RedisClient) async throws {
        let keys = try await keys(under: prefix, client: client)
        _ = try await client.pipeline(keys.map { RedisCommand("UNLINK", $0) })
    }
}

/// A private redis-server on a free port that a test may kill and restart without disturbing
/// other suites. Used from one task only.
final class ThrowawayRedis {
    let port: Int
    private let extraArguments: [String]
    private let directory: URL
    private var process: Process?

    init(arguments: [String] = []) throws {
        self.port = try Self.freePort()
        self.extraArguments = arguments
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-redis-\(port)-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory.path,
            ]
            + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        try waitUntilListening()
    }

    /// SIGKILL: the server gets no chance to say goodbye, like a crash.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    private func waitUntilListening() throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if Self.canConnect(port: port) { return }
            usleep(20_000)
        }
        throw RedisError(code: .connectionFailed, message: "throwaway redis-server did not start on \(port)")
    }

    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RedisError(code: .connectionFailed, message: "socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw RedisError(code: .connectionFailed, message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

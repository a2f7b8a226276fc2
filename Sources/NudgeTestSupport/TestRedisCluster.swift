import Foundation

#if canImport(Glibc)
    import Glibc
#endif
import NudgeRedis

/// The local Redis Cluster of `scripts/redis-cluster.sh` (3 masters, 3 replicas on
/// `NUDGE_REDIS_CLUSTER_PORT` and the 5 ports after it). `start()` starts it when it is not up,
/// so a suite needs nothing started beforehand; tests fail, never skip, when it cannot start.
/// Nodes are found by asking the cluster, never by port: a failover test leaves a replica as master.
public enum TestRedisCluster {
    public static var firstPort: Int {
        ProcessInfo.processInfo.environment["NUDGE_REDIS_CLUSTER_PORT"].flatMap(Int.init) ?? 18000
    }

    public static var nodes: [RedisEndpoint] {
        (0..<6).map { RedisEndpoint(host: "127.0.0.1", port: firstPort + $0) }
    }

    /// Starts the cluster (idempotent) and waits until every node says `cluster_state:ok`.
    public static func start() throws {
        try script(["start"])
    }

    /// A cluster-mode client configuration with every node as a seed.
    public static func config(poolSize: Int = 2, commandTimeout: Duration = .seconds(5)) -> RedisConfig {
        RedisConfig(
            mode: .cluster, nodes: nodes, poolSize: poolSize, connectTimeout: .seconds(1),
            commandTimeout: commandTimeout, reconnectAttempts: 1)
    }

    /// SIGKILL of the node on `port`, like a crash.
    public static func kill(port: Int) throws { try script(["kill", "\(port)"]) }

    /// Starts a killed node again from its data; it rejoins the cluster (as a replica when its
    /// replica took over meanwhile).
    public static func revive(port: Int) throws { try script(["revive", "\(port)"]) }

    /// `redis-cli` with `arguments`, e.g. `--cluster reshard`; returns its output, throws on failure.
    @discardableResult
    public static func redisCLI(_ arguments: [String]) throws -> String {
        let (status, output) = try run("/usr/bin/env", ["redis-cli"] + arguments)
        guard status == 0 else {
            throw RedisError(code: .serverError, message: "redis-cli \(arguments.first ?? "") failed: \(output)")
        }
        return output
    }

    private static func script(_ arguments: [String]) throws {
        let path = repository.appendingPathComponent("scripts/redis-cluster.sh").path
        let (status, output) = try run("/bin/bash", [path] + arguments)
        guard status == 0 else {
            throw RedisError(
                code: .connectionFailed,
                message: "scripts/redis-cluster.sh \(arguments.joined(separator: " ")): \(output)")
        }
    }

    /// Like `ToolRun.run`, but reaps the child itself: Foundation's exit monitor sometimes misses
    /// a child whose own child daemonized (redis-server), and `waitUntilExit` then waits forever.
    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        var status: Int32 = 0
        while true {
            let reaped = waitpid(process.processIdentifier, &status, WNOHANG)
            if reaped == process.processIdentifier {
                let exited = status & 0x7F == 0
                return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), String(decoding: data, as: UTF8.self))
            }
            // Foundation reaped it first: its status is the one.
            if reaped < 0, !process.isRunning {
                return (process.terminationStatus, String(decoding: data, as: UTF8.self))
            }
            usleep(10_000)
        }
    }

    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

import Foundation
import NudgePostgres
import NudgeTestSupport
import Testing

/// Redis and PostgreSQL of one test's own, started by scripts/stack.sh exactly as the shared
/// stack is (Redis with AOF, appendfsync everysec; a private PostgreSQL cluster), on free ports
/// with their data in a temporary folder: the test can kill and restart them without touching
/// the services other tests use.
final class PrivateServices: Sendable {
    let dataDirectory: URL
    let redisPort: Int
    let postgresPort: Int

    static let script = MailPeer.repository.appendingPathComponent("scripts/stack.sh").path

    init(_ services: [String]) throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nudge-private-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        redisPort = try FreePort.find()
        postgresPort = try FreePort.find()
        try run("start", services)
    }

    /// The private cluster's database, as stack.sh creates it.
    var postgres: PostgresConfig {
        PostgresConfig(host: "127.0.0.1", port: postgresPort, username: "nudge", password: "nudge", database: "nudge")
    }

    /// Runs stack.sh with posix_spawn and waitpid: Foundation's Process waits for a pipe that the
    /// daemonized redis-server inherits and keeps open, so it would never see the script end.
    func run(_ command: String, _ services: [String]) throws {
        let log = dataDirectory.appendingPathComponent("stack.log").path
        let arguments =
            ["/bin/bash", "-c", "exec /bin/bash \"$0\" \"$@\" >>'\(log)' 2>&1", Self.script, command] + services
        var environment = ProcessInfo.processInfo.environment
        environment["NUDGE_DATA_DIR"] = dataDirectory.path
        environment["NUDGE_REDIS_PORT"] = String(redisPort)
        environment["NUDGE_POSTGRES_PORT"] = String(postgresPort)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0)=\($1)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", nil, nil, argv, envp) == 0 else {
            throw TestFailure("cannot run stack.sh \(command)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw TestFailure("stack.sh \(command) \(services) failed: \(text.suffix(2000))")
        }
    }

    /// SIGKILL to redis-server: no shutdown, no final AOF rewrite, like a crash of the process.
    func killRedis() throws {
        try signal(SIGKILL, pidFile: "redis/redis.pid")
        try waitUntilClosed(redisPort)
    }

    /// SIGQUIT to the postmaster: PostgreSQL's immediate shutdown, every backend gone at once and
    /// crash recovery at the next start, as after a crash.
    func crashPostgres() throws {
        try signal(SIGQUIT, pidFile: "postgres/postmaster.pid")
        try waitUntilClosed(postgresPort)
    }

    func start(_ service: String) throws { try run("start", [service]) }

    func stop() {
        try? run("stop", ["redis", "postgres"])
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    private func signal(_ signal: Int32, pidFile: String) throws {
        let text = try String(contentsOf: dataDirectory.appendingPathComponent(pidFile), encoding: .utf8)
        guard let pid = text.split(whereSeparator: \.isNewline).first.flatMap({ Int32($0) }) else {
            throw TestFailure("no pid in \(pidFile)")
        }
        guard kill(pid, signal) == 0 else { throw TestFailure("cannot signal \(pid) (\(pidFile))") }
    }

    private func waitUntilClosed(_ port: Int) throws {
        let deadline = Date().addingTimeInterval(15)
        while MailPeer.listening(port) {
            guard Date() < deadline else { throw TestFailure("port \(port) still answers after the kill") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

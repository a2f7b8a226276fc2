/// Keeps the tests that disturb the local Redis Cluster (a reshard, a killed master) apart from
/// the tests that only use it: suites run in parallel, and an engine on the cluster during a
/// failover both slows the failover past what its test expects and loses writes that were not
/// replicated yet, which its own exact counts would then miss. Users share the cluster; a
/// disturbing test waits for them to finish and runs alone. Users enter whenever no disturbing
/// test runs, also past one that waits (a test's scope may be entered again for each of its
/// cases: making that wait behind a waiting disturber would deadlock).
public actor RedisClusterGate {
    public static let shared = RedisClusterGate()

    private var users = 0
    private var disturbing = false
    private var waiting: [(exclusive: Bool, resume: CheckedContinuation<Void, Never>)] = []

    /// Runs `body` beside other users of the cluster, never during a disturbing test.
    public nonisolated func using<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await enter(exclusive: false)
        do {
            let result = try await body()
            await leave(exclusive: false)
            return result
        } catch {
            await leave(exclusive: false)
            throw error
        }
    }

    /// Runs `body` with the cluster to itself.
    public nonisolated func disturbing<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await enter(exclusive: true)
        do {
            let result = try await body()
            await leave(exclusive: true)
            return result
        } catch {
            await leave(exclusive: true)
            throw error
        }
    }

    private func canEnter(exclusive: Bool) -> Bool {
        exclusive ? users == 0 && !disturbing : !disturbing
    }

    private func enter(exclusive: Bool) async {
        if exclusive ? waiting.isEmpty && canEnter(exclusive: true) : canEnter(exclusive: false) {
            admit(exclusive: exclusive)
            return
        }
        await withCheckedContinuation { waiting.append((exclusive, $0)) }
    }

    private func admit(exclusive: Bool) {
        if exclusive { disturbing = true } else { users += 1 }
    }

    private func leave(exclusive: Bool) {
        if exclusive { disturbing = false } else { users -= 1 }
        // In arrival order while they fit: a disturber admitted stops the users behind it.
        while let next = waiting.first, canEnter(exclusive: next.exclusive) {
            waiting.removeFirst()
            admit(exclusive: next.exclusive)
            next.resume.resume()
        }
    }
}

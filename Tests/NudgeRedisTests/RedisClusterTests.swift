import Foundation
import NudgeTestSupport
import Testing

@testable import NudgeRedis

/// The cluster client against a real 3-master, 3-replica Redis Cluster (`scripts/redis-cluster.sh`,
/// started here when it is not up): routing, pipelines over nodes, scripts, a slot migration
/// under load, and a master killed with SIGKILL.
@Suite("Redis Cluster", .serialized, .timeLimit(.minutes(2)))
struct RedisClusterTests {
    init() throws {
        try TestRedisCluster.start()
    }

    @Test("A pipeline over keys of every master comes back in the caller's order, each key on its slot's master")
    func pipelineAcrossNodes() async throws {
        let client = RedisClient(config: TestRedisCluster.config())
        let prefix = TestRedis.prefix("cluster-pipeline")
        let keys = (0..<600).map { "\(prefix):k\($0)" }
        let sets = try await client.pipeline(keys.enumerated().map { RedisCommand("SET", $1, "v\($0)") })
        #expect(sets.allSatisfy { $0 == .status("OK") })

        // Mixed commands in one pipeline: replies line up with the commands.
        var mixed: [RedisCommand] = []
        for (index, key) in keys.enumerated() {
            mixed.append(RedisCommand("GET", key))
            if index % 50 == 0 { mixed.append(RedisCommand("PING")) }
        }
        let replies = try await client.pipeline(mixed)
        var position = 0
        for (index, _) in keys.enumerated() {
            #expect(replies[position].string == "v\(index)")
            position += 1
            if index % 50 == 0 {
                #expect(replies[position] == .status("PONG"))
                position += 1
            }
        }

        // The keys are spread over all three masters, and each sits on the master its slot names.
        let masters = try await client.masters()
        #expect(masters.count == 3)
        var perMaster: [RedisEndpoint: Int] = [:]
        for master in masters {
            let direct = RedisClient(config: RedisConfig(host: master.host, port: master.port, poolSize: 1))
            let owned = try await direct.pipeline(keys.map { RedisCommand("EXISTS", $0) })
            perMaster[master] = owned.filter { $0 == .integer(1) }.count
        }
        #expect(perMaster.values.allSatisfy { $0 > 100 })
        #expect(perMaster.values.reduce(0, +) == keys.count)
        try await TestRedis.cleanUpCluster(keys, client: client)
    }

    @Test("Scripts run on their keys' master, load themselves on each node, and refuse keys of two slots")
    func scripts() async throws {
        let client = RedisClient(config: TestRedisCluster.config())
        let prefix = TestRedis.prefix("cluster-script")
        let script = RedisScript(
            "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return redis.call('GET', KEYS[1])"
        )
        _ = try await client.onEachServer([RedisCommand("SCRIPT", "FLUSH")])
        var written: [String] = []
        for customer in 0..<30 {
            let keys = ["\(prefix):a:{c\(customer)}", "\(prefix):b:{c\(customer)}"]
            let reply = try await client.eval(script, keys: keys.map { RedisArgument($0) }, args: ["x\(customer)"])
            #expect(reply.string == "x\(customer)")
            written += keys
        }
        let values = try await client.pipeline(written.map { RedisCommand("GET", $0) })
        #expect(values.enumerated().allSatisfy { $1.string == "x\($0 / 2)" })

        await #expect {
            _ = try await client.eval(script, keys: ["\(prefix):{one}", "\(prefix):{two}"], args: ["y"])
        } throws: { error in
            (error as? RedisError)?.code == .crossSlot
        }
        try await client.load(script)
        try await TestRedis.cleanUpCluster(written, client: client)
    }

    @Test("Stages run in order across nodes; WAIT follows the write before it")
    func stagesAndWait() async throws {
        let client = RedisClient(config: TestRedisCluster.config())
        let prefix = TestRedis.prefix("cluster-stages")
        let keys = (0..<40).map { "\(prefix):{s\($0)}" }
        let stages = try await client.pipeline(stages: [
            keys.map { RedisCommand("SET", $0, "1") },
            keys.map { RedisCommand("INCR", $0) } + [RedisCommand("WAIT", 1, 2000)],
            keys.map { RedisCommand("GET", $0) },
        ])
        #expect(stages.map(\.count) == [40, 41, 40])
        #expect(stages[1].prefix(40).allSatisfy { $0 == .integer(2) })
        #expect((stages[1][40].int ?? 0) >= 1)
        #expect(stages[2].allSatisfy { $0.string == "2" })
        try await TestRedis.cleanUpCluster(keys, client: client)
    }

    @Test(
        "redis-cli --cluster reshard under a stream of INCRs loses and doubles nothing (MOVED, ASK)",
        .disturbsRedisCluster)
    func reshardUnderLoad() async throws {
        let client = RedisClient(config: TestRedisCluster.config())
        let prefix = TestRedis.prefix("cluster-reshard")
        let before = try TestRedisCluster.slotOwners()
        // From the master with most slots to the one with fewest, so repeated runs stay balanced.
        let counts = Dictionary(grouping: before.indices, by: { before[$0] }).mapValues(\.count)
        guard let source = counts.max(by: { $0.value < $1.value })?.key,
            let target = counts.min(by: { $0.value < $1.value })?.key, source != target
        else {
            Issue.record("cluster has fewer than two masters")
            return
        }
        // Keys in the slots that will move (the source's lowest 300) and elsewhere.
        let sourceSlots = Set(before.indices.filter { before[$0] == source }.prefix(300))
        var chosen: [String] = []
        var candidate = 0
        while chosen.count < 400 {
            let key = "\(prefix):{n\(candidate)}"
            if chosen.count < 300 ? sourceSlots.contains(RedisKeySlot.of(key)) : true { chosen.append(key) }
            candidate += 1
        }
        let keys = chosen

        let writer = Task {
            var acknowledged = [Int](repeating: 0, count: keys.count)
            let deadline = ContinuousClock.now + .seconds(60)
            var round = 0
            while !Task.isCancelled, ContinuousClock.now < deadline {
                let replies = try await client.pipeline(keys.map { RedisCommand("INCR", $0) })
                for (index, reply) in replies.enumerated() {
                    guard case .integer = reply else { throw RedisError(code: .serverError, message: "\(reply)") }
                    acknowledged[index] += 1
                }
                round += 1
            }
            return (acknowledged, round)
        }
        try await Task.sleep(for: .milliseconds(300))
        let sourceId = try TestRedisCluster.nodeId(source)
        let targetId = try TestRedisCluster.nodeId(target)
        try TestRedisCluster.redisCLI([
            "--cluster", "reshard", source.description, "--cluster-from", sourceId, "--cluster-to", targetId,
            "--cluster-slots", "300", "--cluster-yes", "--cluster-pipeline", "50",
        ])
        try await Task.sleep(for: .milliseconds(300))
        writer.cancel()
        let (acknowledged, rounds) = try await writer.value

        let after = try TestRedisCluster.slotOwners()
        let moved = sourceSlots.filter { after[$0] == target }.count
        #expect(moved == 300)
        let values = try await client.pipeline(keys.map { RedisCommand("GET", $0) })
        for (index, value) in values.enumerated() {
            #expect(value.int == acknowledged[index], "key \(index) (slot \(RedisKeySlot.of(keys[index])))")
        }
        print("reshard: 300 slots moved under \(rounds) rounds of \(keys.count) INCRs")
        try await TestRedis.cleanUpCluster(keys, client: client)
    }

    @Test(
        "A master killed with SIGKILL: its replica takes over and every write acknowledged with WAIT 1 is there",
        .disturbsRedisCluster)
    func failover() async throws {
        let client = RedisClient(config: TestRedisCluster.config())
        let prefix = TestRedis.prefix("cluster-failover")
        let keys = (0..<500).map { "\(prefix):{f\($0)}" }
        var commands: [RedisCommand] = []
        for (index, key) in keys.enumerated() {
            commands.append(RedisCommand("SET", key, "v\(index)"))
            commands.append(RedisCommand("WAIT", 1, 2000))
        }
        let replies = try await client.pipeline(commands)
        for index in stride(from: 1, to: replies.count, by: 2) {
            #expect((replies[index].int ?? 0) >= 1, "write \(index / 2) not acknowledged by a replica")
        }

        let owners = try TestRedisCluster.slotOwners()
        guard let victim = owners[RedisKeySlot.of(keys[0])] else {
            Issue.record("no master for the first key's slot")
            return
        }
        try TestRedisCluster.kill(port: victim.port)
        let killed = ContinuousClock.now
        // Reads of the dead master's slots wait for the replica's promotion (refreshing the map).
        let values = try await client.pipeline(keys.map { RedisCommand("GET", $0) })
        let recovered = ContinuousClock.now - killed
        #expect(values.enumerated().allSatisfy { $1.string == "v\($0)" })
        #expect(try await client.send("SET", keys[0], "after").statusText == "OK")
        let promoted = try TestRedisCluster.slotOwners()[RedisKeySlot.of(keys[0])]
        #expect(promoted != nil && promoted != victim)
        print("failover: master \(victim) killed, all 500 keys read back after \(recovered)")

        try TestRedisCluster.revive(port: victim.port)
        try TestRedisCluster.start()
        try await TestRedis.cleanUpCluster(keys, client: client)
    }
}

extension TestRedis {
    /// Deletes `keys` one command each (they live on several nodes).
    static func cleanUpCluster(_ keys: [String], client: RedisClient) async throws {
        _ = try await client.pipeline(keys.map { RedisCommand("UNLINK", $0) })
    }
}

extension TestRedisCluster {
    /// The master of each slot now, from `redis-cli cluster slots` on any live node.
    static func slotOwners() throws -> [RedisEndpoint?] {
        var lastError: (any Error)?
        for node in nodes {
            do {
                let output = try redisCLI(["-p", "\(node.port)", "--json", "cluster", "slots"])
                return try parseSlots(output)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? RedisError(code: .connectionFailed, message: "no cluster node answered")
    }

    private static func parseSlots(_ json: String) throws -> [RedisEndpoint?] {
        guard let ranges = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]] else {
            throw RedisError(code: .protocolError, message: "unexpected CLUSTER SLOTS output")
        }
        var owners = [RedisEndpoint?](repeating: nil, count: RedisKeySlot.count)
        for range in ranges {
            guard range.count >= 3, let start = range[0] as? Int, let end = range[1] as? Int,
                let node = range[2] as? [Any], let host = node[0] as? String, let port = node[1] as? Int
            else { throw RedisError(code: .protocolError, message: "unexpected CLUSTER SLOTS range") }
            for slot in start...end { owners[slot] = RedisEndpoint(host: host, port: port) }
        }
        return owners
    }

    static func nodeId(_ node: RedisEndpoint) throws -> String {
        try redisCLI(["-h", node.host, "-p", "\(node.port)", "cluster", "myid"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension RedisReply {
    var statusText: String? {
        if case .status(let text) = self { text } else { nil }
    }
}

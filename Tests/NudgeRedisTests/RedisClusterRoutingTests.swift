import Testing

@testable import NudgeRedis

/// Pure logic of the cluster client: key slots, redirects, the slot map, pipeline routing.
@Suite("Redis Cluster routing")
struct RedisClusterRoutingTests {
    @Test(
        "Key slots match redis-server's CLUSTER KEYSLOT, hash tags included",
        arguments: [
            ("foo", 12182), ("bar", 5061), ("hello", 866), ("{user1000}.following", 3443),
            ("foo{}{bar}", 8363), ("foo{{bar}}zap", 4015), ("foo{bar}{zap}", 5061), ("{bar", 4015),
            ("nudge:cust:{c-1}", 5363), ("", 0),
        ])
    func keySlots(key: String, slot: Int) {
        #expect(RedisKeySlot.of(key) == slot)
    }

    @Test("CRC16 is XMODEM: the check value of 123456789 is 0x31C3")
    func crcCheckValue() {
        #expect(RedisKeySlot.crc16(Array("123456789".utf8)[...]) == 0x31C3)
    }

    @Test("A customer's keys share a slot, and partition keys share the partition's")
    func taggedKeysShareSlots() {
        let customer = ["nudge:cust:{c-9}", "nudge:outbox:{c-9}:p3", "nudge:slots:{c-9}"].map { RedisKeySlot.of($0) }
        #expect(Set(customer).count == 1)
        let partition = ["nudge:timers:{p3}", "nudge:outbox-pending:{p3}", "nudge:produced:{p3}"].map {
            RedisKeySlot.of($0)
        }
        #expect(Set(partition).count == 1)
    }

    @Test("MOVED, ASK, TRYAGAIN and CLUSTERDOWN replies are redirects; other errors are not")
    func redirects() {
        let from = RedisEndpoint(host: "10.0.0.1", port: 7000)
        #expect(
            RedisRedirect(reply: .error("MOVED 3999 127.0.0.1:6381"), from: from)
                == .moved(slot: 3999, to: RedisEndpoint(host: "127.0.0.1", port: 6381)))
        #expect(
            RedisRedirect(reply: .error("ASK 12 10.0.0.2:7001"), from: from)
                == .ask(slot: 12, to: RedisEndpoint(host: "10.0.0.2", port: 7001)))
        #expect(
            RedisRedirect(reply: .error("MOVED 1 :7002"), from: from)
                == .moved(slot: 1, to: RedisEndpoint(host: "10.0.0.1", port: 7002)))
        #expect(
            RedisRedirect(reply: .error("TRYAGAIN Multiple keys request during rehashing"), from: from) == .retryLater)
        #expect(RedisRedirect(reply: .error("CLUSTERDOWN The cluster is down"), from: from) == .retryLater)
        #expect(RedisRedirect(reply: .error("MOVED 99999 127.0.0.1:6381"), from: from) == nil)
        #expect(RedisRedirect(reply: .error("ERR wrong number of arguments"), from: from) == nil)
        #expect(RedisRedirect(reply: .status("MOVED 1 a:1"), from: from) == nil)
    }

    @Test("Endpoints parse host:port, IPv6 in brackets, and refuse a bad port")
    func endpoints() {
        #expect(RedisEndpoint(parsing: "redis-0.redis:6379") == RedisEndpoint(host: "redis-0.redis", port: 6379))
        #expect(RedisEndpoint(parsing: "[::1]:7000") == RedisEndpoint(host: "::1", port: 7000))
        #expect(RedisEndpoint(parsing: "host") == nil)
        #expect(RedisEndpoint(parsing: "host:0") == nil)
        #expect(RedisEndpoint(parsing: ":7000") == nil)
    }

    @Test("CLUSTER SLOTS becomes a master per slot; an empty host is the answering node's")
    func slotMap() throws {
        func node(_ host: String, _ port: Int) -> RedisReply {
            .array([.bulk(Array(host.utf8)), .integer(Int64(port)), .bulk(Array("id".utf8))])
        }
        let reply = RedisReply.array([
            .array([.integer(0), .integer(5460), node("127.0.0.1", 7000), node("127.0.0.1", 7003)]),
            .array([.integer(5461), .integer(10922), node("", 7001)]),
            .array([.integer(10923), .integer(16000), node("127.0.0.1", 7002)]),
            .array([.integer(16001), .integer(16383), node("127.0.0.1", 7000)]),
        ])
        let map = try RedisSlotMap(clusterSlots: reply, from: RedisEndpoint(host: "10.1.1.1", port: 7005))
        #expect(map.masters.count == 3)
        #expect(map.master(of: 0) == RedisEndpoint(host: "127.0.0.1", port: 7000))
        #expect(map.master(of: 5461) == RedisEndpoint(host: "10.1.1.1", port: 7001))
        #expect(map.master(of: 16383) == RedisEndpoint(host: "127.0.0.1", port: 7000))
        #expect(map.uncoveredSlots == 0)
        let moved = map.moving(5461, to: RedisEndpoint(host: "127.0.0.1", port: 7009))
        #expect(moved.master(of: 5461) == RedisEndpoint(host: "127.0.0.1", port: 7009))
        #expect(moved.master(of: 5462) == RedisEndpoint(host: "10.1.1.1", port: 7001))

        let partial = try RedisSlotMap(
            clusterSlots: .array([.array([.integer(0), .integer(99), node("a", 1)])]),
            from: RedisEndpoint(host: "a", port: 1))
        #expect(partial.uncoveredSlots == RedisKeySlot.count - 100)
        #expect(partial.master(of: 100) == nil)
        #expect(throws: RedisError.self) {
            try RedisSlotMap(
                clusterSlots: .array([.array([.integer(5), .integer(2)])]), from: RedisEndpoint(host: "a", port: 1))
        }
    }

    @Test("Keys of commands: first argument, every argument, MSET pairs, EVALSHA's KEYS, none")
    func commandKeys() {
        func keys(_ command: RedisCommand) -> [String] {
            RedisCommandRouting.keys(of: command).map { String(decoding: $0.bytes, as: UTF8.self) }
        }
        #expect(keys(RedisCommand("HSET", "h", "f", "v")) == ["h"])
        #expect(keys(RedisCommand("del", "a", "b")) == ["a", "b"])
        #expect(keys(RedisCommand("MSET", "a", "1", "b", "2")) == ["a", "b"])
        #expect(keys(.evalSHA(RedisScript("return 1"), keys: ["k1", "k2"], args: ["x"])) == ["k1", "k2"])
        #expect(keys(.evalSHA(RedisScript("return 1"), keys: [], args: ["x"])) == [])
        #expect(keys(RedisCommand("PING")) == [])
        #expect(keys(RedisCommand("WAIT", 1, 100)) == [])
    }

    @Test("A command whose keys span slots is refused with its position and slots")
    func crossSlot() throws {
        let commands = [
            RedisCommand("GET", "a"),
            .evalSHA(RedisScript("return 1"), keys: ["{x}:1", "{y}:2"]),
        ]
        do {
            _ = try RedisCommandRouting.slots(of: commands)
            Issue.record("cross-slot command accepted")
        } catch {
            #expect(error.code == .crossSlot)
            #expect(error.command == "EVALSHA")
            #expect(error.message.contains("command 2 of 2"))
            #expect(error.message.contains("\(RedisKeySlot.of("x"))"))
        }
        #expect(
            try RedisCommandRouting.slots(of: [.evalSHA(RedisScript("x"), keys: ["{x}:1", "{x}:2"])]) == [
                RedisKeySlot.of("x")
            ])
    }

    @Test("Keyless commands follow the command before them, leading ones the first keyed one")
    func keylessTargets() {
        let owner: (Int) -> String? = { $0 < 100 ? "A" : ($0 < 200 ? "B" : nil) }
        #expect(
            RedisCommandRouting.targets(slots: [nil, 150, 5, nil, 150, nil], target: owner, fallback: "Z")
                == ["B", "B", "A", "A", "B", "B"])
        #expect(RedisCommandRouting.targets(slots: [nil, nil], target: owner, fallback: "Z") == ["Z", "Z"])
        #expect(RedisCommandRouting.targets(slots: [300, nil], target: owner, fallback: "Z") == [nil, nil])
    }

    @Test("Groups keep the caller's order within a node and come in order of first appearance")
    func grouping() {
        let groups = RedisCommandRouting.groups(["B", "A", "B", "C", "A", "B"])
        #expect(groups.map(\.target) == ["B", "A", "C"])
        #expect(groups.map(\.positions) == [[0, 2, 5], [1, 4], [3]])
        // Reassembling by position gives the caller's order back.
        var replies = [String?](repeating: nil, count: 6)
        for group in groups { for position in group.positions { replies[position] = "\(group.target)\(position)" } }
        #expect(replies == ["B0", "A1", "B2", "C3", "A4", "B5"])
    }

    @Test("Seeds come after the masters the client already knows, without repeats")
    func refreshCandidates() {
        let a = RedisEndpoint(host: "a", port: 1)
        let b = RedisEndpoint(host: "b", port: 1)
        let c = RedisEndpoint(host: "c", port: 1)
        #expect(RedisCluster.candidates(known: [b, c], seeds: [a, b]) == [b, c, a])
    }
}

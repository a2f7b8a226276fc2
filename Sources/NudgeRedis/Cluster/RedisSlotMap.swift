/// Which master serves each of the 16384 slots, read from `CLUSTER SLOTS`.
struct RedisSlotMap: Sendable, Equatable {
    /// Masters in the order the reply first named them.
    let masters: [RedisEndpoint]
    /// Index into `masters` per slot; nil for a slot no master serves.
    private let owners: [Int?]

    init(masters: [RedisEndpoint], owners: [Int?]) {
        self.masters = masters
        self.owners = owners
    }

    func master(of slot: Int) -> RedisEndpoint? {
        owners[slot].map { masters[$0] }
    }

    /// Slots without a master.
    var uncoveredSlots: Int { owners.reduce(0) { $0 + ($1 == nil ? 1 : 0) } }

    /// Parses a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id, ...], replica...], ...]`.
    /// `from` is the node that answered: its host stands in for an empty or `?` host.
    init(clusterSlots reply: RedisReply, from: RedisEndpoint) throws(RedisError) {
        guard let ranges = reply.array else {
            throw RedisError(
                code: .protocolError, message: "CLUSTER SLOTS did not answer an array",
                endpoint: from.description, command: "CLUSTER")
        }
        var masters: [RedisEndpoint] = []
        var owners = [Int?](repeating: nil, count: RedisKeySlot.count)
        for range in ranges {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].int, let end = parts[1].int,
                0 <= start, start <= end, end < RedisKeySlot.count,
                let node = parts[2].array, node.count >= 2, let port = node[1].int
            else {
                throw RedisError(
                    code: .protocolError, message: "CLUSTER SLOTS answered a range it could not read",
                    endpoint: from.description, command: "CLUSTER")
            }
            var host = node[0].string ?? ""
            if host.isEmpty || host == "?" { host = from.host }
            let master = RedisEndpoint(host: host, port: port)
            let index: Int
            if let known = masters.firstIndex(of: master) {
                index = known
            } else {
                index = masters.count
                masters.append(master)
            }
            for slot in start...end { owners[slot] = index }
        }
        self.init(masters: masters, owners: owners)
    }

    /// The same map with `slot` moved to `master` (a MOVED reply, before the next full refresh).
    func moving(_ slot: Int, to master: RedisEndpoint) -> RedisSlotMap {
        var masters = masters
        var owners = owners
        if let known = masters.firstIndex(of: master) {
            owners[slot] = known
        } else {
            owners[slot] = masters.count
            masters.append(master)
        }
        return RedisSlotMap(masters: masters, owners: owners)
    }
}

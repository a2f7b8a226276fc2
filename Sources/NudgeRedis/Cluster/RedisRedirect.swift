/// What a cluster node's error reply tells the client to do instead of running the command.
enum RedisRedirect: Sendable, Equatable {
    /// `MOVED <slot> <host:port>`: the slot lives elsewhere for good; refresh the slot map.
    case moved(slot: Int, to: RedisEndpoint)
    /// `ASK <slot> <host:port>`: during a migration this key is already on the target; send
    /// ASKING and the command there once, without changing the slot map.
    case ask(slot: Int, to: RedisEndpoint)
    /// `TRYAGAIN` (a multi-key command whose keys are split by a migration) or `CLUSTERDOWN`
    /// (the cluster has no master for a slot, e.g. during a failover): retry after a pause.
    case retryLater

    /// The redirect an error reply asks for, nil for any other reply. `from` fills in a host the
    /// node left empty (`MOVED 3999 :6381` when it does not know its own address).
    init?(reply: RedisReply, from: RedisEndpoint) {
        guard let message = reply.errorMessage else { return nil }
        let parts = message.split(separator: " ")
        guard let kind = parts.first else { return nil }
        switch kind {
        case "MOVED", "ASK":
            guard parts.count >= 3, let slot = Int(parts[1]), (0..<RedisKeySlot.count).contains(slot),
                let target = RedisEndpoint(parsing: String(parts[2]), defaultHost: from.host)
            else { return nil }
            self = kind == "MOVED" ? .moved(slot: slot, to: target) : .ask(slot: slot, to: target)
        case "TRYAGAIN", "CLUSTERDOWN":
            self = .retryLater
        default:
            return nil
        }
    }
}

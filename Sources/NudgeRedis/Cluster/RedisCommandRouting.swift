/// Which slot a command runs on, from its key arguments, and how a pipeline splits over nodes.
/// Pure: the cluster client (`RedisCluster`) does the I/O.
enum RedisCommandRouting {
    /// Commands whose every argument after the name is a key.
    private static let allKeys: Set<String> = [
        "DEL", "UNLINK", "EXISTS", "MGET", "TOUCH", "WATCH", "SUNION", "SINTER", "SDIFF", "PFCOUNT",
    ]
    /// Commands that name no key: they follow the command before them in a pipeline.
    private static let keyless: Set<String> = [
        "PING", "ECHO", "SCRIPT", "WAIT", "INFO", "CLUSTER", "TIME", "DBSIZE", "FLUSHALL", "FLUSHDB", "CONFIG",
        "CLIENT", "READONLY", "READWRITE", "ASKING", "AUTH", "SELECT", "HELLO", "COMMAND", "KEYS", "SCAN",
        "RANDOMKEY", "MULTI", "EXEC", "DISCARD", "LASTSAVE", "DEBUG", "SHUTDOWN", "FUNCTION", "SLOWLOG", "LATENCY",
        "ROLE", "BGSAVE", "BGREWRITEAOF", "SAVE", "MEMORY", "OBJECT", "QUIT",
    ]

    /// The keys a command names (for EVAL and EVALSHA: its KEYS).
    static func keys(of command: RedisCommand) -> ArraySlice<RedisArgument> {
        let arguments = command.arguments
        guard arguments.count > 1 else { return [] }
        let name = command.name
        switch name {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard arguments.count > 2, let count = Int(String(decoding: arguments[2].bytes, as: UTF8.self)),
                count > 0, arguments.count >= 3 + count
            else { return [] }
            return arguments[3..<(3 + count)]
        case "MSET", "MSETNX":
            return ArraySlice(stride(from: 1, to: arguments.count, by: 2).map { arguments[$0] })
        default:
            if allKeys.contains(name) { return arguments[1...] }
            if keyless.contains(name) { return [] }
            return arguments[1...1]
        }
    }

    /// The slot of each command, nil for a command without keys. A command whose keys lie in
    /// different slots cannot run on a cluster: `RedisError(.crossSlot)` names it and its slots.
    static func slots(of commands: [RedisCommand]) throws(RedisError) -> [Int?] {
        var slots: [Int?] = []
        slots.reserveCapacity(commands.count)
        for (position, command) in commands.enumerated() {
            let keys = keys(of: command)
            guard let first = keys.first else {
                slots.append(nil)
                continue
            }
            let slot = RedisKeySlot.of(first.bytes)
            for key in keys.dropFirst() {
                let other = RedisKeySlot.of(key.bytes)
                if other != slot {
                    throw RedisError(
                        code: .crossSlot,
                        message:
                            "the keys of command \(position + 1) of \(commands.count) lie in slots \(slot) and \(other); "
                            + "on Redis Cluster a command's keys must share one hash slot (tag them with {...})",
                        command: command.name)
                }
            }
            slots.append(slot)
        }
        return slots
    }

    /// Where each command goes: its slot's master, or for a command without keys the target of
    /// the command before it (so `SET k v` then `WAIT 1 100` run on one connection), or of the
    /// first keyed one after it, or `fallback` when no command has a key. Nil where `target` knows
    /// no master for the slot.
    static func targets<Target>(
        slots: [Int?], target: (Int) -> Target?, fallback: Target
    ) -> [Target?] {
        var targets: [Target?] = slots.map { $0.flatMap(target) }
        var previous: Target?? = nil
        for index in targets.indices {
            if slots[index] != nil {
                previous = .some(targets[index])
            } else if let previous {
                targets[index] = previous
            }
        }
        // Leading commands without keys: take the first keyed command's target.
        if let firstKeyed = slots.firstIndex(where: { $0 != nil }) {
            for index in 0..<firstKeyed { targets[index] = targets[firstKeyed] }
        } else {
            for index in targets.indices { targets[index] = fallback }
        }
        return targets
    }

    /// Positions grouped by target, groups in the order their first command appears and
    /// positions in the caller's order within each group.
    static func groups<Target: Hashable>(_ targets: [Target]) -> [(target: Target, positions: [Int])] {
        var order: [Target] = []
        var positions: [Target: [Int]] = [:]
        for (position, target) in targets.enumerated() {
            if positions[target] == nil { order.append(target) }
            positions[target, default: []].append(position)
        }
        return order.map { ($0, positions[$0] ?? []) }
    }
}

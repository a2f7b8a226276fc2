import NudgeRedis

/// Lua scripts that change one customer atomically. Each touches only keys of that customer
/// (one hash slot), so they also run on Redis Cluster.
enum CustomerScripts {
    /// Writes the state, the applied offsets, the outbox records and the content-slot changes of
    /// one customer, unless the customer was merged into another meanwhile or changed since it
    /// was read (optimistic concurrency on the `v` field: two processes that both got hold of one
    /// customer, e.g. through producers keying differently, cannot overwrite each other, and
    /// caps hold exactly).
    ///
    /// KEYS: customer hash, outbox list, slots hash, then one report hash per report change
    ///       (single Redis) or the customer's report-deltas key (cluster).
    /// ARGV: version read, state, n offsets, (field, offset)*, n outbox, record*,
    ///       n slot sets, (slot, content)*, n slot deletes, slot*, n reports, (field, delta)*,
    ///       and on a cluster the encoded report deltas (`StoredReportDeltas`).
    /// Report changes are written in the same script as the state, so a replayed input (skipped
    /// by its offset) never counts twice. On a single Redis they are the counters themselves;
    /// on Redis Cluster, where the counters live in other slots, n reports is 0 and the deltas
    /// go to the customer's own slot, folded into the counters after the commit
    /// (`ReportScripts.fold`, docs/ARCHITECTURE.md "Redis Cluster").
    /// Returns `{0}` when written, `{1, alias}` when the customer is now an alias, `{2}` when it
    /// changed since it was read (nothing written in either case).
    ///
    /// One Redis call per kind of change, not per field or record (a Lua `redis.call` costs more
    /// than the data it carries): Redis's CPU per event is part of the engine's throughput.
    static let commit = RedisScript(
        """
        local head = redis.call('HMGET', KEYS[1], 'a', 'v')
        if head[1] then return {1, head[1]} end
        local version = head[2] or '0'
        if version ~= ARGV[1] then return {2} end
        -- Runs command on key with the count * width arguments from ARGV[from], at most ~1000 a call
        -- (unpack's stack limit); returns the index after them.
        local function batched(command, key, from, count, width)
          local last = from + count * width - 1
          local step = 1000 - 1000 % width
          while from <= last do
            local to = math.min(last, from + step - 1)
            redis.call(command, key, unpack(ARGV, from, to))
            from = to + 1
          end
          return last + 1
        end
        redis.call('HSET', KEYS[1], 'v', tostring(tonumber(version) + 1), 's', ARGV[2])
        local i = 3
        local n = tonumber(ARGV[i])
        i = batched('HSET', KEYS[1], i + 1, n, 2)
        n = tonumber(ARGV[i])
        i = batched('RPUSH', KEYS[2], i + 1, n, 1)
        n = tonumber(ARGV[i])
        i = batched('HSET', KEYS[3], i + 1, n, 2)
        n = tonumber(ARGV[i])
        i = batched('HDEL', KEYS[3], i + 1, n, 1)
        n = tonumber(ARGV[i]); i = i + 1
        for r = 1, n do redis.call('HINCRBY', KEYS[3 + r], ARGV[i], ARGV[i + 1]); i = i + 2 end
        if ARGV[i] then redis.call('SET', KEYS[4 + n], ARGV[i]) end
        return {0}
        """)

    /// Takes over an anonymous customer for a known one (identify): marks the anonymous id as an
    /// alias and returns its state, which the caller merges into the known customer. Claiming
    /// the same id again for the same customer returns nothing (already merged).
    ///
    /// KEYS: the anonymous customer's hash. ARGV: the known customer id.
    /// Returns the encoded state, or false when there is none or it was already claimed.
    static let claim = RedisScript(
        """
        if redis.call('HEXISTS', KEYS[1], 'a') == 1 then return false end
        local state = redis.call('HGET', KEYS[1], 's')
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'a', ARGV[1])
        return state
        """)
}

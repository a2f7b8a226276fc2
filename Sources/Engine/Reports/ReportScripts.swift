import NudgeRecords
import NudgeRedis

/// The Redis Cluster side of the report counters: a batch's report changes are stored per customer
/// by the commit script, then added to the scenario's counters by `fold`, once.
enum ReportScripts {
    /// Adds one batch's changes to one scenario's counters unless that batch was folded already.
    /// All its keys carry the scenario as hash tag (one slot). The fold-marks hash keeps, per
    /// batch owner (one per partition assignment), the last sequence folded and when: an owner's
    /// batches fold in sequence order, so a fold sent again after a crash, or by the recovery of
    /// what a crash left, is recognised and adds nothing.
    ///
    /// An owner's first fold into a scenario forgets the marks of earlier owners of the same
    /// partition that last folded before `prune before` (0: never): by then a later owner's
    /// recovery has folded and deleted everything they left, so no fold of theirs can come again.
    ///
    /// KEYS: the fold-marks hash, then the counter hashes.
    /// ARGV: owner, sequence, now (ms), owner prefix of the partition (`p<n>/`), prune before (ms),
    ///       then (key index, field, delta)*.
    /// Returns 1 when folded, 0 when it had been already.
    static let fold = RedisScript(
        """
        local mark = redis.call('HGET', KEYS[1], ARGV[1])
        local done = 0
        if mark then done = tonumber(string.match(mark, '^(%d+)')) or 0 end
        if tonumber(ARGV[2]) <= done then return 0 end
        local before = tonumber(ARGV[5])
        if not mark and before > 0 then
          local marks = redis.call('HGETALL', KEYS[1])
          for m = 1, #marks, 2 do
            if string.sub(marks[m], 1, #ARGV[4]) == ARGV[4] then
              local at = tonumber(string.match(marks[m + 1], ':(%d+)$'))
              if at and at < before then redis.call('HDEL', KEYS[1], marks[m]) end
            end
          end
        end
        for i = 6, #ARGV, 3 do redis.call('HINCRBY', KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2]) end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
        return 1
        """)

    /// How long a fold mark is kept after its owner's last fold before a later owner of the
    /// partition may forget it: far longer than a process that lost its partition keeps writing
    /// (it stops within its session timeout and max poll interval).
    static let markRetention: Int64 = 24 * 3600 * 1000

    /// The fold command for `fold`; `pruneBefore` 0 keeps every mark (recovery folds several
    /// owners' batches in one go).
    static func command(_ fold: ReportFold, partition: Int32, keys: RedisKeys, now: Int64, pruneBefore: Int64)
        -> RedisCommand
    {
        var counterKeys: [String] = []
        var index: [String: Int] = [:]
        var args: [RedisArgument] = [
            RedisArgument(fold.owner), RedisArgument(Int(fold.sequence)), RedisArgument(Int(now)),
            RedisArgument("p\(partition)/"), RedisArgument(Int(pruneBefore)),
        ]
        for count in fold.counts {
            let key =
                count.hour.map { keys.report(scenario: fold.scenario, hour: $0, layout: .scenarioSlot) }
                ?? keys.reportNow(scenario: fold.scenario, layout: .scenarioSlot)
            let position: Int
            if let known = index[key] {
                position = known
            } else {
                counterKeys.append(key)
                position = counterKeys.count + 1
                index[key] = position
            }
            args.append(RedisArgument(position))
            args.append(RedisArgument(count.field))
            args.append(RedisArgument(count.delta))
        }
        return RedisCommand.evalSHA(
            Self.fold,
            keys: [RedisArgument(keys.reportFolds(scenario: fold.scenario))] + counterKeys.map { RedisArgument($0) },
            args: args)
    }
}

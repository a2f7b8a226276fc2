import NudgeRecords
import Testing

/// The replan progress hash the engine writes and the admin API reads, and the keys the replan
/// scans: pinned, so a layout change is a visible, reviewed event.
@Suite("Records: replan progress and customer key scan")
struct ReplanProgressTests {
    @Test func progressFieldsArePinnedAndRoundTrip() throws {
        let running = ReplanProgress(
            scenarios: ["birthday@2", "come-back@1"], cursor: "1536", scanned: 900, replanned: 120, changed: 31,
            startedAt: 1_700_000_000_000)
        #expect(
            running.fields.map { "\($0.0)=\($0.1)" } == [
                "record_version=1", "scenarios=birthday@2,come-back@1", "cursor=1536", "scanned=900", "replanned=120",
                "changed=31", "started_at=1700000000000",
            ])
        var finished = running
        finished.cursor = "0"
        finished.finishedAt = 1_700_000_060_000
        for progress in [running, finished] {
            let read = try ReplanProgress(fields: Dictionary(uniqueKeysWithValues: progress.fields))
            #expect(read == progress)
        }
        #expect(try ReplanProgress(fields: [:]) == nil)
        let none = try ReplanProgress(fields: ["scenarios": "", "started_at": "5"])
        #expect(none?.scenarios == [])
        #expect(none?.isFinished == false)
    }

    @Test func unreadableProgressIsRefusedWithTheField() {
        #expect(throws: ReplanProgressError(field: "scanned", value: "many", reason: "not a number")) {
            try ReplanProgress(fields: ["scenarios": "a@1", "scanned": "many"])
        }
        #expect(throws: ReplanProgressError(field: "record_version", value: "2", reason: "newer than this Nudge reads"))
        {
            try ReplanProgress(fields: ["record_version": "2"])
        }
    }

    @Test func theScanFindsCustomerKeysOnly() {
        let keys = RedisKeys(prefix: "nudge")
        #expect(keys.replan(partition: 3) == "nudge:replan:{p3}")
        #expect(keys.customerPattern == "nudge:cust:{*}")
        #expect(keys.customerId(fromKey: keys.customer("u-1")) == "u-1")
        #expect(keys.customerId(fromKey: keys.customer("a}b")) == "a}b")
        #expect(keys.customerId(fromKey: keys.slots("u-1")) == nil)
        #expect(keys.customerId(fromKey: "nudge:cust:{}") == nil)
        #expect(keys.customerId(fromKey: "other:cust:{u-1}") == nil)
        // Glob characters of a prefix match only themselves.
        #expect(RedisKeys(prefix: "t*[1]?\\").customerPattern == #"t\*\[1\]\?\\:cust:{*}"#)
    }
}

import Logging
import NudgeRedis
import Testing

@testable import SharedStores

/// The dispatch ledger's keys, which the dispatcher writes and the API reads and moves on (callbacks,
/// held messages, erase): pinned like the records, so a layout change is a visible, reviewed event.
@Suite("Shared stores: ledger key layout")
struct LedgerLayoutTests {
    @Test func ledgerKeys() {
        let ledger = DispatchLedger(
            redis: RedisClient(config: RedisConfig(), logger: Logger(label: "layout")), keyPrefix: "nudge")
        #expect(ledger.messageKey("m/1") == "nudge:dispatch:{m/1}")
        #expect(ledger.heldIndexKey == "nudge:dispatch-held")
        #expect(ledger.providerKey(connector: "sms", providerMessageId: "p-1") == "nudge:provider:{sms}:p-1")
        let statuses: [DispatchLedger.Status] = [.sending, .handingOver, .sent, .failed, .held, .released, .dropped]
        #expect(statuses.map(\.rawValue) == ["sending", "handover", "sent", "failed", "held", "released", "dropped"])
    }
}

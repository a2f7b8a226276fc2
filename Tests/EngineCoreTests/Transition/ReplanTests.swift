import Testing

@testable import EngineCore

/// `Input.replan`, which the engine feeds every existing customer after a deploy that changes
/// the date or absence triggers: it plans what the catalog expects and is idempotent, so a
/// replan resumed after a crash (some customers replanned twice) doubles nothing.
@Suite("Replan")
struct ReplanTests {
    static let absent = """
        id: come-back
        version: 1
        trigger:
          absence: Ticket Purchased
          for: 14d
        entry:
          once_per: 30d
        steps:
          offer:
            send:
              channel: email
              template: come-back
        """

    let start = TestSupport.at("2026-05-01T10:00:00Z")
    let profile: [String: Value] = [
        "birthday": "1990-05-14", "bonus_expires_at": "2026-06-01T00:00:00Z", "bonus_balance": 5,
    ]

    private func engine() throws -> ScenarioEngine {
        ScenarioEngine(
            catalog: try ScenarioCatalog(
                [
                    try TestSupport.sample("birthday"), try TestSupport.sample("expiring-bonus"),
                    try TestSupport.scenario(Self.absent),
                ]))
    }

    private func enters(_ transition: Transition) -> Bool {
        transition.effects.contains { if case .entered = $0 { true } else { false } }
    }

    @Test func theCatalogListsTheScenariosWhoseTriggersNeedTimers() throws {
        #expect(try engine().catalog.timerTriggerScenarios == ["birthday@1", "come-back@1", "expiring-bonus@1"])
        #expect(try TestSupport.engine(samples: ["welcome"]).catalog.timerTriggerScenarios.isEmpty)
    }

    @Test func replanPlansDateAndAbsenceTriggersOnceAndNeverEnters() throws {
        let engine = try engine()
        let first = engine.transition(CustomerState(customerId: "u1", profile: profile), .replan, now: start)
        #expect(
            first.state.triggerTimers == [
                "d/birthday": TestSupport.at("2026-05-11T10:00:00Z"),
                "d/expiring-bonus": TestSupport.at("2026-05-25T10:00:00Z"),
                "a/come-back": start + .days(14),
            ])
        #expect(first.effects.count == 3)
        #expect(!enters(first))
        for later in [start, start + .hours(1), start + .days(3)] {
            let again = engine.transition(first.state, .replan, now: later)
            #expect(again.effects.isEmpty)
            #expect(again.state == first.state)
        }
    }

    @Test func aTimerAlreadyDueIsKeptForFiringAndFiresOnce() throws {
        let engine = try engine()
        let planned = engine.transition(CustomerState(customerId: "u1", profile: profile), .replan, now: start).state
        let due = TestSupport.at("2026-05-11T10:00:00Z")
        // The replan runs after the birthday timer came due but before the engine fired it.
        let late = engine.transition(planned, .replan, now: due + .seconds(2))
        #expect(late.effects.isEmpty)
        #expect(late.state.triggerTimers["d/birthday"] == due)
        let fired = engine.transition(late.state, .timer(id: "d/birthday"), now: due + .seconds(3))
        #expect(enters(fired))
        let afterwards = engine.transition(fired.state, .replan, now: due + .seconds(4))
        #expect(!enters(afterwards))
        #expect(afterwards.effects.isEmpty)
        #expect(afterwards.state == fired.state)
    }

    @Test func anAbsenceIsArmedOnlyWhereTheEntryRuleAllowsAnotherEntry() throws {
        let engine = try engine()
        let recent = EntryRecord(lastEntered: start - .days(10), count: 1)
        let held = engine.transition(
            CustomerState(customerId: "u1", entries: ["come-back": recent]), .replan, now: start)
        #expect(held.state.triggerTimers["a/come-back"] == start + .days(20))

        let once = try TestSupport.engine(
            yaml: Self.absent.replacingOccurrences(of: "once_per: 30d", with: "once: true"))
        let never = once.transition(
            CustomerState(customerId: "u1", entries: ["come-back": recent]), .replan, now: start)
        #expect(never.state.triggerTimers.isEmpty)
        #expect(never.effects.isEmpty)
    }
}

import Testing

@testable import EngineCore

/// An absence trigger with `once_per` asks again once the period is over, while the customer
/// stays away; without it, the next matching event is what arms the trigger again.
@Suite("Absence triggers re-armed after once_per")
struct AbsenceRearmTests {
    static func comeBack(entry: String) -> String {
        """
        id: come-back
        version: 1
        trigger:
          absence: Ticket Purchased
          for: 14d
        \(entry)
        steps:
          offer:
            send:
              channel: email
              template: come-back
        """
    }

    let start = TestSupport.at("2026-03-01T09:00:00Z")
    let timer = "a/come-back"

    private func sends(_ transition: Transition) -> Int {
        transition.effects.filter { if case .send = $0 { true } else { false } }.count
    }

    private func purchase(at time: Timestamp) -> Input {
        .event(
            Event(name: "Ticket Purchased", messageId: "p\(time.milliseconds)", userId: "u1", timestamp: time))
    }

    @Test func aCustomerWhoStaysAwayIsAskedAgainEveryPeriod() throws {
        let engine = try TestSupport.engine(yaml: Self.comeBack(entry: "entry:\n  once_per: 30d"))
        var state = engine.transition(CustomerState(customerId: "u1"), purchase(at: start), now: start).state
        #expect(state.triggerTimers == [timer: start + .days(14)])

        var due = start + .days(14)
        for round in 1...3 {
            let fired = engine.transition(state, .timer(id: timer), now: due)
            #expect(sends(fired) == 1, "round \(round)")
            #expect(fired.state.triggerTimers == [timer: due + .days(30)], "round \(round)")
            #expect(fired.effects.contains(.scheduleTimer(PendingTimer(id: timer, at: due + .days(30)))))
            state = fired.state
            due = due + .days(30)
        }
    }

    @Test func anAbsenceHeldOffByOncePerLooksAgainWhenThePeriodEnds() throws {
        let engine = try TestSupport.engine(yaml: Self.comeBack(entry: "entry:\n  once_per: 30d"))
        var state = engine.transition(CustomerState(customerId: "u1"), purchase(at: start), now: start).state
        let firstOffer = start + .days(14)
        state = engine.transition(state, .timer(id: timer), now: firstOffer).state
        // Buys again the day after the offer, then stays away: 14 days later the offer is still
        // held off (entered 15 days ago), so the trigger looks again when the 30 days are over.
        state = engine.transition(state, purchase(at: firstOffer + .days(1)), now: firstOffer + .days(1)).state
        #expect(state.triggerTimers == [timer: firstOffer + .days(15)])
        let heldOff = engine.transition(state, .timer(id: timer), now: firstOffer + .days(15))
        #expect(sends(heldOff) == 0)
        #expect(heldOff.state.triggerTimers == [timer: firstOffer + .days(30)])
        let again = engine.transition(heldOff.state, .timer(id: timer), now: firstOffer + .days(30))
        #expect(sends(again) == 1)
        #expect(again.state.triggerTimers == [timer: firstOffer + .days(60)])
    }

    @Test func withoutOncePerOnlyTheNextEventArmsTheAbsenceAgain() throws {
        let engine = try TestSupport.engine(yaml: Self.comeBack(entry: ""))
        let state = engine.transition(CustomerState(customerId: "u1"), purchase(at: start), now: start).state
        let fired = engine.transition(state, .timer(id: timer), now: start + .days(14))
        #expect(sends(fired) == 1)
        #expect(fired.state.triggerTimers.isEmpty)
    }
}

import Foundation
import Testing

@testable import EngineCore

/// `exits:` end a running instance from any step, with reason `exit:<id>`: its timer is
/// cancelled, its `until_exit` content removed, and nothing it was waiting to do happens.
@Suite("Exit rules")
struct ExitRuleTests {
    static let welcome = """
        id: welcome
        version: 1
        trigger:
          event: Signed Up
        exits:
          - event: Unsubscribed
          - id: closed
            event: Account Closed
            when: event.properties.reason == 'fraud'
        start: banner
        steps:
          banner:
            show:
              slot: home_hero
              until_exit: true
              payload:
                title: Welcome
            next: pause
          pause:
            wait: 2d
            next: remind
          remind:
            send:
              channel: email
              template: remind
        """

    /// Waits for the very event that is also an exit: the exit must win over the wait.
    static let survey = """
        id: survey
        version: 1
        trigger:
          event: Signed Up
        exits:
          - event: Unsubscribed
        start: ask
        steps:
          ask:
            wait_for:
              event: Unsubscribed
              timeout: 1d
            on_event: sorry
          sorry:
            send:
              channel: email
              template: sorry
        """

    let signUpTime = "2026-05-01T10:00:00Z"

    /// The customer after signing up: one `welcome` instance waiting in `pause`.
    func waiting(_ engine: ScenarioEngine) throws -> (state: CustomerState, timer: PendingTimer) {
        let signUp = TestSupport.track("Signed Up", at: signUpTime)
        let entered = engine.transition(CustomerState(customerId: "u1"), .event(signUp), now: signUp.timestamp)
        let instance = try #require(entered.state.instances.first)
        #expect(instance.step == "pause")
        return (entered.state, try #require(instance.timer))
    }

    @Test func anExitEventEndsTheInstanceInTheMiddleOfAWait() throws {
        let engine = try TestSupport.engine(yaml: Self.welcome)
        let (state, timer) = try waiting(engine)
        let instance = try #require(state.instances.first)
        let unsubscribed = TestSupport.track("Unsubscribed", at: "2026-05-02T09:00:00Z")

        let exited = engine.transition(state, .event(unsubscribed), now: unsubscribed.timestamp)

        #expect(exited.state.instances.isEmpty)
        let origin = InstanceRef(
            customerId: "u1", scenario: "welcome", version: 1, instance: instance.id, step: "pause")
        #expect(
            exited.effects == [
                .cancelTimer(id: timer.id),
                .hideContent(HideContent(origin: origin, slot: "home_hero")),
                .completed(Completion(origin: origin, reason: .exit("Unsubscribed"))),
            ])
        #expect(Completion.Reason.exit("Unsubscribed").label == "exit:Unsubscribed")
        #expect(!Completion.Reason.exit("Unsubscribed").isConversion)

        // The timer the runtime may still fire (taken before the cancel) sends nothing.
        let late = engine.transition(exited.state, .timer(id: timer.id), now: timer.at)
        #expect(late.effects.isEmpty)
        #expect(late.state.instances.isEmpty)
    }

    @Test func anExitWithAFalseConditionLeavesTheInstanceWaiting() throws {
        let engine = try TestSupport.engine(yaml: Self.welcome)
        let (state, timer) = try waiting(engine)
        let closed = TestSupport.track(
            "Account Closed", ["reason": "moved"], at: "2026-05-02T09:00:00Z")

        let kept = engine.transition(state, .event(closed), now: closed.timestamp)

        #expect(kept.effects.isEmpty)
        #expect(kept.state.instances.map(\.step) == ["pause"])
        #expect(kept.state.instances.first?.timer == timer)
        // ...and it still sends when its wait ends.
        let fired = engine.transition(kept.state, .timer(id: timer.id), now: timer.at)
        #expect(fired.effects.contains { if case .send = $0 { true } else { false } })
    }

    @Test func anExitWithATrueConditionEndsWithItsId() throws {
        let engine = try TestSupport.engine(yaml: Self.welcome)
        let (state, _) = try waiting(engine)
        let closed = TestSupport.track(
            "Account Closed", ["reason": "fraud"], at: "2026-05-02T09:00:00Z")

        let exited = engine.transition(state, .event(closed), now: closed.timestamp)

        #expect(exited.state.instances.isEmpty)
        let reasons = exited.effects.compactMap { effect -> String? in
            if case .completed(let completion) = effect { return completion.reason.label }
            return nil
        }
        #expect(reasons == ["exit:closed"])
    }

    @Test func anExitWinsOverAWaitForTheSameEvent() throws {
        let engine = try TestSupport.engine(yaml: Self.survey)
        let run = TestSupport.run(
            engine,
            [
                TestSupport.track("Signed Up", at: signUpTime),
                TestSupport.track("Unsubscribed", at: "2026-05-01T11:00:00Z"),
            ])
        #expect(run.sends.isEmpty)
        #expect(run.ends.map(\.reason) == ["exit:Unsubscribed"])
    }

    @Test func anExitEndsOnlyTheScenarioThatDeclaresIt() throws {
        let other = Self.welcome.replacingOccurrences(of: "id: welcome", with: "id: other")
            .replacingOccurrences(of: "  - event: Unsubscribed\n", with: "")
        let engine = try TestSupport.engine(yaml: Self.welcome, other)
        let signUp = TestSupport.track("Signed Up", at: signUpTime)
        let entered = engine.transition(CustomerState(customerId: "u1"), .event(signUp), now: signUp.timestamp)
        #expect(Set(entered.state.instances.map(\.scenario)) == ["welcome", "other"])

        let unsubscribed = TestSupport.track("Unsubscribed", at: "2026-05-02T09:00:00Z")
        let after = engine.transition(entered.state, .event(unsubscribed), now: unsubscribed.timestamp)
        #expect(after.state.instances.map(\.scenario) == ["other"])
    }
}

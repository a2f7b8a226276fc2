import Foundation
import Testing

@testable import EngineCore

@Suite("Shadow rules of the contact policy")
struct ShadowPolicyTests {
    let base = ContactPolicyTests()

    @Test func aShadowCapIsCountedAndNeverEnforced() throws {
        let engine = try base.engine(
            policy: """
                caps:
                  - {channel: sms, max: 3, per: day}
                  - {channel: sms, max: 1, per: day, shadow: true}
                """)
        let run = TestSupport.run(
            engine,
            [
                base.ping(1, at: "2026-03-02T10:00:00Z"), base.ping(2, at: "2026-03-02T11:00:00Z"),
                base.ping(3, at: "2026-03-02T12:00:00Z"), base.ping(4, at: "2026-03-02T13:00:00Z"),
            ])
        // The enforced cap of 3 decides; the shadow cap of 1 only counts the 2nd and 3rd.
        #expect(run.sends.count == 3)
        #expect(run.entries(.suppress).map(\.decision) == ["suppressed:cap:sms:day"])
        let shadowed = run.entries(.wouldSuppress)
        #expect(shadowed.map(\.reason) == ["cap:sms:1/day", "cap:sms:1/day"])
        #expect(shadowed.map { ISO8601.format($0.at) } == ["2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z"])
    }

    @Test func removingTheShadowLineEnforcesTheSameRule() throws {
        let shadow = try base.policy("caps:\n  - channel: sms\n    max: 1\n    per: day\n    shadow: true\n")
        let enforced = try base.policy("caps:\n  - channel: sms\n    max: 1\n    per: day\n")
        #expect(shadow.caps.isEmpty && shadow.shadowCaps == enforced.caps)
        let events = [base.ping(1, at: "2026-03-02T10:00:00Z"), base.ping(2, at: "2026-03-02T11:00:00Z")]
        let catalog = try ScenarioCatalog([TestSupport.scenario(ContactPolicyTests.pinger)])
        let shadowRun = TestSupport.run(ScenarioEngine(catalog: catalog, policy: shadow), events)
        let enforcedRun = TestSupport.run(ScenarioEngine(catalog: catalog, policy: enforced), events)
        #expect(shadowRun.sends.count == 2 && shadowRun.entries(.wouldSuppress).count == 1)
        #expect(enforcedRun.sends.count == 1 && enforcedRun.entries(.suppress).count == 1)
        // What the shadow rule counted is what enforcing it stopped.
        #expect(shadowRun.entries(.wouldSuppress).map(\.messageId) == enforcedRun.entries(.suppress).map(\.messageId))
    }

    @Test func shadowQuietHoursBesideEnforcedOnes() throws {
        let engine = try base.engine(
            policy: """
                quiet_hours:
                  - {from: "22:00", to: "07:00"}
                  - {from: "20:00", to: "08:00", shadow: true}
                """)
        let run = TestSupport.run(
            engine,
            [
                base.ping(1, at: "2026-03-02T21:00:00Z"),  // inside the shadow hours only
                base.ping(2, at: "2026-03-02T23:00:00Z"),  // inside both: deferred, then sent at 07:00
                base.ping(3, at: "2026-03-03T12:00:00Z"),  // inside neither
            ])
        #expect(run.entries(.defer).map(\.decision) == ["deferred:quiet_hours"])
        #expect(
            run.sends.map { ISO8601.format($0.at) } == [
                "2026-03-02T21:00:00Z", "2026-03-03T07:00:00Z", "2026-03-03T12:00:00Z",
            ])
        // 07:00 is still inside the shadow 20:00-08:00: that release counts too.
        #expect(
            run.entries(.wouldSuppress).map { ISO8601.format($0.at) } == [
                "2026-03-02T21:00:00Z", "2026-03-03T07:00:00Z",
            ])
        #expect(run.entries(.wouldSuppress).allSatisfy { $0.reason == "quiet_hours:20:00-08:00" })
    }

    @Test func transactionalMessagesAreExemptFromShadowRulesToo() throws {
        let receipt = ContactPolicyTests.pinger.replacingOccurrences(
            of: "topic: promotions", with: "transactional: true")
        let engine = try base.engine(
            policy: "caps:\n  - {channel: sms, max: 0, per: day, shadow: true}\n", scenarios: [receipt])
        let run = TestSupport.run(engine, [base.ping(1, at: "2026-03-02T10:00:00Z")])
        #expect(run.sends.count == 1)
        #expect(run.entries(.wouldSuppress).isEmpty)
    }

    @Test func aShadowCapLongerThanEveryEnforcedOneKeepsTheHistoryItNeeds() throws {
        let engine = try base.engine(
            policy: "caps:\n  - {channel: sms, max: 5, per: day}\n  - {channel: sms, max: 1, per: week, shadow: true}\n"
        )
        let run = TestSupport.run(
            engine, [base.ping(1, at: "2026-03-02T10:00:00Z"), base.ping(2, at: "2026-03-05T10:00:00Z")])
        #expect(run.sends.count == 2)
        #expect(run.entries(.wouldSuppress).map(\.reason) == ["cap:sms:1/week"])
    }

    @Test func twoEnforcedQuietHoursAreAnErrorWithItsLine() {
        let result = PolicyLoader.load(
            yaml:
                "version: 1\nquiet_hours:\n  - {from: \"22:00\", to: \"07:00\"}\n  - {from: \"20:00\", to: \"08:00\"}\n",
            file: "policy.yaml")
        guard case .failure(let errors) = result else {
            Issue.record("two enforced quiet hours loaded")
            return
        }
        #expect(errors.errors.first?.location.line == 3)
        #expect(errors.errors.first?.message.contains("only one quiet_hours rule can be enforced") == true)
    }

    @Test func aShadowMarkThatIsNotABooleanIsAnError() {
        let result = PolicyLoader.load(
            yaml: "version: 1\ncaps:\n  - {channel: sms, max: 1, per: day, shadow: maybe}\n", file: "policy.yaml")
        guard case .failure(let errors) = result else {
            Issue.record("shadow: maybe loaded")
            return
        }
        #expect(errors.errors.first?.message.contains("'shadow' must be true or false") == true)
    }
}

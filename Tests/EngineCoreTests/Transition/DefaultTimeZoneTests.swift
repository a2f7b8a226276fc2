import Foundation
import Testing

@testable import EngineCore

/// One time zone per customer for every wall-clock rule: `profile.timezone`, else the policy's
/// `default_timezone` (UTC without a policy). Quiet hours, `wait: until_time:` and date triggers
/// all read it, so they agree with each other.
@Suite("The customer's default time zone")
struct DefaultTimeZoneTests {
    static let evening = """
        id: evening
        version: 1
        name: Evening
        owner: tests
        status: active
        trigger:
          event: Ping
        start: later
        steps:
          later:
            wait:
              until_time: "18:00"
            next: done
          done:
            end: {}
        """

    static let birthday = """
        id: birthday
        version: 1
        name: Birthday
        owner: tests
        status: active
        trigger:
          date: profile.birthday
          yearly: true
          at: "10:00"
        start: greet
        steps:
          greet:
            end: {}
        """

    /// Waits until 08:00 local, then sends an SMS: inside quiet hours 21:00-09:00 of the same zone.
    static let morning = """
        id: morning
        version: 1
        name: Morning
        owner: tests
        status: active
        trigger:
          event: Ping
        start: early
        steps:
          early:
            wait:
              until_time: "08:00"
            next: hello
          hello:
            send:
              channel: sms
              template: hello
        """

    static let berlinPolicy = "version: 1\ndefault_timezone: Europe/Berlin\n"

    func engine(_ scenarios: [String], policy: String?) throws -> ScenarioEngine {
        let catalog = try ScenarioCatalog(scenarios.map { try TestSupport.scenario($0) })
        guard let policy else { return ScenarioEngine(catalog: catalog) }
        return ScenarioEngine(catalog: catalog, policy: try PolicyLoader.load(yaml: policy, file: "policy.yaml").get())
    }

    /// The due times of the timers a transition schedules.
    func scheduled(_ transition: Transition) -> [String] {
        transition.effects.compactMap {
            guard case .scheduleTimer(let timer) = $0 else { return nil }
            return ISO8601.format(timer.at)
        }
    }

    func waitDue(policy: String?, profile: [String: Value] = [:]) throws -> [String] {
        let engine = try engine([Self.evening], policy: policy)
        let state = CustomerState(customerId: "u1", profile: profile)
        let ping = TestSupport.track("Ping", at: "2026-05-01T05:00:00Z")
        return scheduled(engine.transition(state, .event(ping), now: ping.timestamp))
    }

    @Test func aWaitUntilATimeOfDayUsesThePolicysDefaultZone() throws {
        // 18:00 in Berlin summer time is 16:00 UTC; in UTC it would be 18:00.
        #expect(try waitDue(policy: Self.berlinPolicy) == ["2026-05-01T16:00:00Z"])
    }

    @Test func theProfilesZoneWinsOverThePolicysDefault() throws {
        let due = try waitDue(policy: Self.berlinPolicy, profile: ["timezone": "America/New_York"])
        #expect(due == ["2026-05-01T22:00:00Z"])
    }

    @Test func anUnknownProfileZoneFallsBackToThePolicysDefault() throws {
        let due = try waitDue(policy: Self.berlinPolicy, profile: ["timezone": "Mars/Olympus"])
        #expect(due == ["2026-05-01T16:00:00Z"])
    }

    @Test func withoutAPolicyTheDefaultIsUTC() throws {
        #expect(try waitDue(policy: nil) == ["2026-05-01T18:00:00Z"])
    }

    @Test func aDateTriggerUsesThePolicysDefaultZone() throws {
        let engine = try engine([Self.birthday], policy: Self.berlinPolicy)
        let identify = TestSupport.identify(["birthday": "1990-05-14"], at: "2026-05-01T00:00:00Z")
        let transition = engine.transition(
            CustomerState(customerId: "u1"), .event(identify), now: identify.timestamp)
        // 10:00 on 14 May in Berlin (summer time).
        #expect(scheduled(transition) == ["2026-05-14T08:00:00Z"])
    }

    @Test func quietHoursAndWaitsAgreeOnTheZone() throws {
        // The wait ends at 08:00 Berlin, which is inside Berlin's quiet hours: the SMS is
        // deferred to 09:00 Berlin. Had the wait used UTC (08:00 UTC = 10:00 Berlin), it would
        // have gone out at once.
        let engine = try engine(
            [Self.morning],
            policy: Self.berlinPolicy + "quiet_hours:\n  from: \"21:00\"\n  to: \"09:00\"\n  channels: [sms]\n")
        let run = TestSupport.run(engine, [TestSupport.track("Ping", at: "2026-05-01T20:00:00Z")])
        let deferred = run.entries(.defer)
        #expect(deferred.map(\.decision) == ["deferred:quiet_hours"])
        #expect(deferred.first.map { ISO8601.format($0.at) } == "2026-05-02T06:00:00Z")
        #expect(deferred.first?.until.map(ISO8601.format) == "2026-05-02T07:00:00Z")
        #expect(run.sends.map { ISO8601.format($0.at) } == ["2026-05-02T07:00:00Z"])
    }
}

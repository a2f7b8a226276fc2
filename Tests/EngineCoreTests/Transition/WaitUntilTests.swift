import Foundation
import Testing

@testable import EngineCore

/// `wait: until_time:` (the next local time of day in the customer's zone) and `wait: until:`
/// (an instant expression) across the edges: clocks going forward, a local day that is not the
/// UTC day, a time already passed today, an instant in the past.
@Suite("Waits until a time")
struct WaitUntilTests {
    static let tenOClock = """
        id: ten
        version: 1
        trigger:
          event: Ping
        start: later
        steps:
          later:
            wait:
              until_time: "10:00"
            next: hello
          hello:
            send:
              channel: email
              template: hello
        """

    static let beforeExpiry = """
        id: expiry
        version: 1
        trigger:
          event: Bonus Granted
        start: before_expiry
        steps:
          before_expiry:
            wait:
              until: timestamp(profile.bonus_expires_at) - 1d
            next: remind
          remind:
            send:
              channel: email
              template: bonus-expires
        """

    static let berlinPolicy = "version: 1\ndefault_timezone: Europe/Berlin\n"

    func engine(_ yaml: String, policy: String? = nil) throws -> ScenarioEngine {
        let catalog = try ScenarioCatalog([try TestSupport.scenario(yaml)])
        guard let policy else { return ScenarioEngine(catalog: catalog) }
        return ScenarioEngine(catalog: catalog, policy: try PolicyLoader.load(yaml: policy, file: "policy.yaml").get())
    }

    /// Enters the scenario at `time` and returns when its wait ends (nil: it did not wait) and
    /// what the instance sent at once.
    func enter(
        _ engine: ScenarioEngine, event name: String, at time: String, profile: [String: Value] = [:]
    ) -> (due: String?, sentNow: [String]) {
        let event = TestSupport.track(name, at: time)
        let transition = engine.transition(
            CustomerState(customerId: "u1", profile: profile), .event(event), now: event.timestamp)
        let due = transition.state.instances.first?.timer.map { ISO8601.format($0.at) }
        let sent = transition.effects.compactMap { effect -> String? in
            if case .send(let message) = effect { return message.template }
            return nil
        }
        return (due, sent)
    }

    @Test func untilTimeOnTheMorningTheProfileZonesClocksGoForward() throws {
        // New York moves to summer time at 02:00 on 8 March 2026. From 23:00 EST the evening
        // before, 10:00 the next morning is 10:00 EDT (14:00 UTC), not 24h-style 15:00 UTC.
        let engine = try engine(Self.tenOClock, policy: Self.berlinPolicy)
        let entered = enter(
            engine, event: "Ping", at: "2026-03-08T04:00:00Z", profile: ["timezone": "America/New_York"])
        #expect(entered.due == "2026-03-08T14:00:00Z")
    }

    @Test func untilTimeOnTheMorningThePolicyZonesClocksGoForward() throws {
        // Berlin moves to summer time at 02:00 on 29 March 2026: 10:00 CEST is 08:00 UTC.
        let engine = try engine(Self.tenOClock, policy: Self.berlinPolicy)
        #expect(enter(engine, event: "Ping", at: "2026-03-28T21:00:00Z").due == "2026-03-29T08:00:00Z")
        // A week earlier, still winter time: 10:00 CET is 09:00 UTC.
        #expect(enter(engine, event: "Ping", at: "2026-03-21T21:00:00Z").due == "2026-03-22T09:00:00Z")
    }

    @Test func untilTimeCountsDaysOnTheCustomersCalendarNotUTCs() throws {
        // Auckland is UTC+13 in January: at 20:00 UTC on the 10th it is 09:00 on the 11th there.
        let engine = try engine(Self.tenOClock)
        let auckland: [String: Value] = ["timezone": "Pacific/Auckland"]
        #expect(
            enter(engine, event: "Ping", at: "2026-01-10T20:00:00Z", profile: auckland).due
                == "2026-01-10T21:00:00Z")
        // At 10:00 local exactly the wait is for tomorrow's 10:00 (strictly after now).
        #expect(
            enter(engine, event: "Ping", at: "2026-01-10T21:00:00Z", profile: auckland).due
                == "2026-01-11T21:00:00Z")
        // At 11:00 local (22:00 UTC, still the 10th in UTC) it rolls to the local 12th's morning.
        #expect(
            enter(engine, event: "Ping", at: "2026-01-10T22:00:00Z", profile: auckland).due
                == "2026-01-11T21:00:00Z")
    }

    @Test func theStepAfterAnUntilTimeWaitRunsWhenItsTimerFires() throws {
        let engine = try engine(Self.tenOClock, policy: Self.berlinPolicy)
        let run = TestSupport.run(engine, [TestSupport.track("Ping", at: "2026-03-28T21:00:00Z")])
        #expect(run.sends.map { ISO8601.format($0.at) } == ["2026-03-29T08:00:00Z"])
    }

    @Test func untilAnInstantWaitsForThatInstantWhateverTheCustomersZone() throws {
        // The attribute carries its offset, so the zone changes nothing: 12:00+02:00 on the 10th
        // less a day is 10:00 UTC on the 9th, in Tokyo as in Berlin.
        let engine = try engine(Self.beforeExpiry, policy: Self.berlinPolicy)
        for zone in ["Asia/Tokyo", "Europe/Berlin"] {
            let entered = enter(
                engine, event: "Bonus Granted", at: "2026-05-01T10:00:00Z",
                profile: ["bonus_expires_at": "2026-05-10T12:00:00+02:00", "timezone": .string(zone)])
            #expect(entered.due == "2026-05-09T10:00:00Z")
            #expect(entered.sentNow.isEmpty)
        }
        let run = TestSupport.run(
            engine,
            [
                TestSupport.identify(["bonus_expires_at": "2026-05-10T12:00:00+02:00"], at: "2026-05-01T09:00:00Z"),
                TestSupport.track("Bonus Granted", at: "2026-05-01T10:00:00Z"),
            ])
        #expect(run.sends.map { ISO8601.format($0.at) } == ["2026-05-09T10:00:00Z"])
    }

    @Test func untilAnInstantAlreadyPastDoesNotWait() throws {
        let engine = try engine(Self.beforeExpiry)
        let entered = enter(
            engine, event: "Bonus Granted", at: "2026-05-01T10:00:00Z",
            profile: ["bonus_expires_at": "2026-05-02T09:00:00Z"])
        #expect(entered.due == nil)
        #expect(entered.sentNow == ["bonus-expires"])
    }
}

import Foundation
import Testing

@testable import EngineCore

@Suite("Contact policy in the transition")
struct ContactPolicyTests {
    /// Sends one message per `Ping` on the event's channel, with the event's priority.
    static let pinger = """
        id: pinger
        version: 1
        name: Pinger
        owner: tests
        status: active
        trigger:
          event: Ping
        entry:
          key: event.properties.n
        start: hello
        steps:
          hello:
            send:
              channel: sms
              template: ping
              topic: promotions
            next: done
          done:
            end: {}
        """

    static let important = """
        id: important
        version: 1
        name: Important
        owner: tests
        status: active
        trigger:
          event: Ping
        entry:
          key: event.properties.n
        start: hello
        steps:
          hello:
            send:
              channel: sms
              template: important
            next: done
          done:
            end: {}
        """

    func policy(_ yaml: String) throws -> ContactPolicy {
        try PolicyLoader.load(yaml: "version: 1\n" + yaml, file: "policy.yaml").get()
    }

    func engine(policy: String, scenarios: [String] = [pinger]) throws -> ScenarioEngine {
        ScenarioEngine(
            catalog: try ScenarioCatalog(scenarios.map { try TestSupport.scenario($0) }),
            policy: try self.policy(policy))
    }

    func ping(_ n: Int, at time: String, user: String = "u1") -> Event {
        TestSupport.track("Ping", user: user, ["n": .int(Int64(n))], at: time, id: "ping-\(user)-\(n)")
    }

    @Test func rateLimitsInThePolicyAreAnErrorThatPointsToTheConnectorFile() {
        let result = PolicyLoader.load(
            yaml: "version: 1\nrate_limits:\n  - {connector: sms, per_second: 5}\n", file: "policy.yaml")
        guard case .failure(let errors) = result else {
            Issue.record("a policy with rate_limits loaded")
            return
        }
        #expect(errors.errors.count == 1)
        #expect(errors.errors.first?.code == .unknownField)
        #expect(errors.errors.first?.location.line == 2)
        #expect(
            errors.errors.first?.message.contains("'rate_limit: {per_second, burst}' in the connector's file") == true)
    }

    @Test func aDailyCapHoldsAndFreesAfterADay() throws {
        let engine = try engine(policy: "caps:\n  - channel: sms\n    max: 2\n    per: day\n")
        let run = TestSupport.run(
            engine,
            [
                ping(1, at: "2026-03-02T10:00:00Z"), ping(2, at: "2026-03-02T11:00:00Z"),
                ping(3, at: "2026-03-02T12:00:00Z"), ping(4, at: "2026-03-03T10:30:00Z"),
            ])
        #expect(run.sends.count == 3)
        let suppressed = run.entries(.suppress)
        #expect(suppressed.map(\.decision) == ["suppressed:cap:sms:day"])
        #expect(ISO8601.format(suppressed[0].at) == "2026-03-02T12:00:00Z")
    }

    @Test func aCapAcrossChannelsCountsEveryChannel() throws {
        let email = Self.pinger.replacingOccurrences(of: "channel: sms", with: "channel: email")
            .replacingOccurrences(of: "id: pinger", with: "id: mailer")
        let engine = try engine(
            policy: "caps:\n  - channel: all\n    max: 3\n    per: week\n", scenarios: [Self.pinger, email])
        let run = TestSupport.run(
            engine, [ping(1, at: "2026-03-02T10:00:00Z"), ping(2, at: "2026-03-03T10:00:00Z")])
        #expect(run.sends.count == 3)
        #expect(run.entries(.suppress).map(\.decision) == ["suppressed:cap:all:week"])
    }

    @Test func theHigherPriorityScenarioWinsTheLastSlot() throws {
        let engine = try engine(
            policy: "caps:\n  - channel: sms\n    max: 1\n    per: day\npriorities:\n  important: 90\n  pinger: 10\n",
            scenarios: [Self.pinger, Self.important])
        let run = TestSupport.run(engine, [ping(1, at: "2026-03-02T10:00:00Z")])
        #expect(run.sends.map(\.scenario) == ["important"])
        #expect(run.entries(.suppress).map(\.scenario) == ["pinger"])
    }

    @Test func deferringACappedMessageSendsItWhenTheWindowHasRoom() throws {
        let engine = try engine(policy: "caps:\n  - channel: sms\n    max: 1\n    per: day\ncap_action: defer\n")
        let run = TestSupport.run(engine, [ping(1, at: "2026-03-02T10:00:00Z"), ping(2, at: "2026-03-02T15:00:00Z")])
        #expect(run.entries(.defer).map(\.decision) == ["deferred:cap:sms:day"])
        #expect(run.sends.map { ISO8601.format($0.at) } == ["2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"])
    }

    @Test func transactionalMessagesAreExempt() throws {
        let receipt = Self.pinger.replacingOccurrences(of: "topic: promotions", with: "transactional: true")
        let engine = try engine(
            policy:
                "caps:\n  - channel: sms\n    max: 1\n    per: day\nquiet_hours:\n  from: \"21:00\"\n  to: \"09:00\"\n",
            scenarios: [receipt])
        let run = TestSupport.run(
            engine, [ping(1, at: "2026-03-02T10:00:00Z"), ping(2, at: "2026-03-02T23:00:00Z")])
        #expect(run.sends.count == 2)
        #expect(run.entries(.suppress).isEmpty && run.entries(.defer).isEmpty)
    }

    /// Quiet hours 21:00-09:00 local: a message at 22:00 local waits until 09:00 local the next
    /// day, in three zones, across the 2026 daylight-saving changes (Europe: 29 March; United
    /// States: 8 March; Sydney leaves DST on 5 April).
    @Test(arguments: [
        ("Europe/Berlin", "2026-03-28T21:00:00Z", "2026-03-29T07:00:00Z"),  // 22:00 CET -> 09:00 CEST
        ("America/New_York", "2026-03-08T02:00:00Z", "2026-03-08T13:00:00Z"),  // 21:00 EST -> 09:00 EDT
        ("Australia/Sydney", "2026-04-04T11:00:00Z", "2026-04-04T23:00:00Z"),  // 22:00 AEDT -> 09:00 AEST
    ])
    func quietHoursDeferToTheNextLocalMorningAcrossDST(zone: String, sentAt: String, expected: String) throws {
        let engine = try engine(policy: "quiet_hours:\n  from: \"21:00\"\n  to: \"09:00\"\n  channels: [sms]\n")
        let run = TestSupport.run(
            engine,
            [TestSupport.identify(["timezone": .string(zone)], at: "2026-03-01T00:00:00Z"), ping(1, at: sentAt)])
        #expect(run.entries(.defer).map(\.decision) == ["deferred:quiet_hours"])
        #expect(run.entries(.defer).first?.until.map(ISO8601.format) == expected)
        #expect(run.sends.map { ISO8601.format($0.at) } == [expected])
    }

    @Test func theDefaultTimeZoneAppliesWithoutAProfileZone() throws {
        let engine = try engine(
            policy: "default_timezone: Asia/Tokyo\nquiet_hours:\n  from: \"21:00\"\n  to: \"09:00\"\n")
        // 13:00 UTC is 22:00 in Tokyo.
        let run = TestSupport.run(engine, [ping(1, at: "2026-03-02T13:00:00Z")])
        #expect(run.sends.map { ISO8601.format($0.at) } == ["2026-03-03T00:00:00Z"])
    }

    @Test func optOutsFromTraitsAndFeedbackSuppress() throws {
        let engine = try engine(policy: "caps: []\n")
        let run = TestSupport.run(
            engine,
            [
                TestSupport.identify(
                    user: "a", ["unsubscribed_topics": .list([.string("promotions")])], at: "2026-03-02T09:00:00Z"),
                ping(1, at: "2026-03-02T10:00:00Z", user: "a"),
                TestSupport.identify(user: "b", ["do_not_contact": .bool(true)], at: "2026-03-02T09:00:00Z"),
                ping(1, at: "2026-03-02T10:00:00Z", user: "b"),
                TestSupport.track(
                    "Message Bounced", user: "c", ["channel": "sms", "bounce_type": "hard"], at: "2026-03-02T09:00:00Z"),
                ping(1, at: "2026-03-02T10:00:00Z", user: "c"),
                ping(1, at: "2026-03-02T10:00:00Z", user: "d"),
            ])
        let decisions = Dictionary(
            uniqueKeysWithValues: run.entries(.suppress).map { ($0.customerId, $0.decision ?? "") })
        #expect(
            decisions == [
                "a": "suppressed:unsubscribed:promotions", "b": "suppressed:do_not_contact",
                "c": "suppressed:hard_bounce",
            ])
        #expect(run.sends.map(\.customerId) == ["d"])
    }

    @Test func theSameTemplateWithinTheDedupWindowGoesOnce() throws {
        let engine = try engine(policy: "dedup_window: 1h\n")
        let run = TestSupport.run(
            engine,
            [
                ping(1, at: "2026-03-02T10:00:00Z"), ping(2, at: "2026-03-02T10:30:00Z"),
                ping(3, at: "2026-03-02T11:30:00Z"),
            ])
        #expect(run.sends.count == 2)
        #expect(run.entries(.suppress).map(\.decision) == ["suppressed:duplicate"])
    }

    /// A running instance whose customer unsubscribes from the channel gets its next send stopped.
    @Test func anUnsubscribeEventStopsTheNextSendOfARunningInstance() throws {
        let twoStep = """
            id: two-step
            version: 1
            name: Two emails a day apart
            owner: tests
            status: active
            trigger:
              event: Signed Up
            start: first
            steps:
              first:
                send:
                  channel: email
                  template: first
                next: later
              later:
                wait: 1d
                next: second
              second:
                send:
                  channel: email
                  template: second
                next: done
              done:
                end: {}
            """
        let engine = try engine(policy: "caps: []\n", scenarios: [twoStep])
        let run = TestSupport.run(
            engine,
            [
                TestSupport.track("Signed Up", at: "2026-03-02T10:00:00Z"),
                TestSupport.track("Unsubscribed", ["channel": "email"], at: "2026-03-02T12:00:00Z"),
            ])
        #expect(run.sends.map(\.template) == ["first"])
        #expect(run.entries(.suppress).map(\.template) == ["second"])
        #expect(run.entries(.suppress).map(\.decision) == ["suppressed:unsubscribed"])
    }

    @Test func contactStateStaysSmallAndRoundTrips() throws {
        let engine = try engine(policy: "caps:\n  - channel: sms\n    max: 5\n    per: week\ndedup_window: 1d\n")
        var state = CustomerState(customerId: "u1")
        for day in 1...20 {
            let at = TestSupport.at(String(format: "2026-03-%02dT10:00:00Z", day))
            state = engine.transition(state, .event(ping(day, at: ISO8601.format(at))), now: at).state
        }
        // Only what a rule still looks at is kept: a week of sends, a day of templates.
        #expect(state.contact.sent.count <= 7)
        #expect(state.contact.templates.count == 1)
        let encoded = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(CustomerState.self, from: encoded) == state)
    }
}

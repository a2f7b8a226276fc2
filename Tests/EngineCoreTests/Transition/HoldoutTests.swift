import Foundation
import Testing

@testable import EngineCore

@Suite("Holdouts: members run through the scenario and are sent nothing")
struct HoldoutTests {
    static func offer(holdout: String = "holdout:\n  percent: 10\n", transactional: Bool = false) -> String {
        """
        id: offer
        version: 1
        name: Offer
        owner: tests
        status: active
        trigger:
          event: Viewed
        \(holdout)
        goals:
          - id: bought
            event: Bought
        start: banner
        steps:
          banner:
            show:
              slot: hero
              payload: {title: "10% off"}
              until_exit: true
            next: mail
          mail:
            send:
              channel: email
              template: offer
              \(transactional ? "transactional: true" : "topic: promotions")
            next: wait
          wait:
            wait: 3d
            next: done
          done:
            end: {}
        """
    }

    func transition(_ engine: ScenarioEngine, _ customer: String, _ event: Event) -> Transition {
        engine.transition(CustomerState(customerId: customer), .event(event), now: event.timestamp)
    }

    func viewed(_ customer: String) -> Event {
        TestSupport.track("Viewed", user: customer, at: "2026-04-01T10:00:00Z", id: "v-\(customer)")
    }

    @Test func aboutTheShareIsHeldOutStablyAndGetsNeitherMessageNorContent() throws {
        let engine = try TestSupport.engine(yaml: Self.offer())
        var heldOut = 0
        for index in 0..<10_000 {
            let customer = "c\(index)"
            let result = transition(engine, customer, viewed(customer))
            let again = transition(engine, customer, viewed(customer))
            #expect(result == again)
            let isHeldOut = result.effects.contains { if case .heldOut(_, .scenario) = $0 { true } else { false } }
            let sends = result.effects.filter { if case .send = $0 { true } else { false } }
            let shows = result.effects.filter { if case .showContent = $0 { true } else { false } }
            let withheld = result.effects.filter {
                if case .suppressed(_, "holdout") = $0 { true } else { false }
            }
            if isHeldOut {
                heldOut += 1
                #expect(sends.isEmpty && shows.isEmpty && withheld.count == 1)
                #expect(result.state.instances.first?.holdout == .scenario)
                // Withheld before the policy: the contact history is not spent.
                #expect(result.state.contact.sent.isEmpty)
            } else {
                #expect(sends.count == 1 && shows.count == 1 && withheld.isEmpty)
                #expect(result.state.instances.first?.holdout == nil)
            }
        }
        // 10% of 10,000; a binomial's 4 standard deviations are 120.
        #expect((880...1120).contains(heldOut))
    }

    @Test func aHoldoutMemberReachesTheGoalAndTheCompletionSaysItWasHeldOut() throws {
        let engine = try TestSupport.engine(yaml: Self.offer())
        let customer = try #require(
            (0..<1000).map { "c\($0)" }.first { customer in
                transition(engine, customer, viewed(customer)).state.instances.first?.holdout == .scenario
            })
        let entered = transition(engine, customer, viewed(customer))
        let bought = TestSupport.track("Bought", user: customer, at: "2026-04-02T10:00:00Z")
        let result = engine.transition(entered.state, .event(bought), now: bought.timestamp)
        let completion = result.effects.compactMap { if case .completed(let c) = $0 { c } else { nil } }.first
        #expect(completion?.reason == .goal("bought"))
        #expect(completion?.holdout == .scenario)
        // The content slot was never filled, so nothing is hidden either.
        #expect(!result.effects.contains { if case .hideContent = $0 { true } else { false } })
    }

    @Test func theProgrammeHoldoutWithholdsMarketingButNotTransactionalMessages() throws {
        let policy = try PolicyLoader.load(yaml: "version: 1\nholdout: {percent: 20}\n", file: "policy.yaml").get()
        let marketing = Self.offer(holdout: "")
        let receipt = Self.offer(holdout: "", transactional: true).replacingOccurrences(
            of: "id: offer", with: "id: receipt")
        let engine = ScenarioEngine(
            catalog: try ScenarioCatalog([TestSupport.scenario(marketing), TestSupport.scenario(receipt)]),
            policy: policy)
        var members = 0
        for index in 0..<2000 {
            let customer = "p\(index)"
            let result = transition(engine, customer, viewed(customer))
            let arms = result.effects.compactMap {
                if case .heldOut(let ref, let arm) = $0 { (ref.scenario, arm) } else { nil }
            }
            let sent = result.effects.compactMap { if case .send(let m) = $0 { m.origin.scenario } else { nil } }
            if arms.isEmpty {
                #expect(sent.sorted() == ["offer", "receipt"])
            } else {
                members += 1
                // One customer is in the programme holdout for every scenario at once.
                #expect(arms.map { $0.0 }.sorted() == ["offer", "receipt"] && arms.allSatisfy { $0.1 == .programme })
                #expect(sent == ["receipt"])
            }
        }
        #expect((320...480).contains(members))
    }

    @Test func theSaltDrawsAnotherGroup() {
        let plain = Holdout(percent: 10)
        let salted = Holdout(percent: 10, salt: "2027")
        let customers = (0..<5000).map { "s\($0)" }
        let first = Set(customers.filter { plain.contains(customer: $0, scope: "offer") })
        let second = Set(customers.filter { salted.contains(customer: $0, scope: "offer") })
        #expect(first != second)
        #expect(first.intersection(second).count < first.count / 3)
    }

    @Test(arguments: [
        ("percent: 0", "must be above 0 and below 100"),
        ("percent: 100", "must be above 0 and below 100"),
        ("percent: 2.555", "at most two decimals"),
        ("percent: ten", "must be a number"),
        ("share: 10", "unknown field"),
    ])
    func invalidHoldoutsAreRejectedWithTheirLine(_ field: String, _ message: String) {
        let yaml = Self.offer(holdout: "holdout:\n  \(field)\n")
        let errors = TestSupport.errors(yaml)
        #expect(errors.count >= 1)
        #expect(errors.contains { $0.message.contains(message) && $0.location.line == 9 })
    }

    @Test func theHoldoutArmSurvivesTheStoredState() throws {
        let instance = InstanceState(
            id: "i1", scenario: "offer", version: 1, step: "wait", startedAt: Timestamp(milliseconds: 1),
            holdout: .programme)
        let data = try JSONEncoder().encode(instance)
        #expect(String(decoding: data, as: UTF8.self).contains("\"h\":\"programme\""))
        #expect(try JSONDecoder().decode(InstanceState.self, from: data) == instance)
        let plain = try JSONEncoder().encode(
            InstanceState(id: "i2", scenario: "offer", version: 1, step: "wait", startedAt: Timestamp(milliseconds: 1)))
        #expect(!String(decoding: plain, as: UTF8.self).contains("\"h\""))
    }
}

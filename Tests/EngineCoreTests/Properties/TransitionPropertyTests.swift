import Foundation
import PropertyBased
import Testing

@testable import EngineCore

/// Random event streams over several samples at once, checked for the core's invariants.
@Suite("Transition properties")
struct TransitionPropertyTests {
    static let engine: ScenarioEngine = {
        do {
            return try TestSupport.engine(samples: [
                "draft-application-reminder", "cascade-ticket-confirmation", "abandoned-cart", "welcome",
                "win-notification", "lottery-reactivation",
            ])
        } catch {
            fatalError("samples must load: \(error)")
        }
    }()

    /// Turns generated numbers into a stream of events for two customers, minutes apart.
    static func events(_ codes: [Int]) -> [Event] {
        var time = TestSupport.at("2026-05-01T09:00:00Z")
        var events: [Event] = []
        for (index, code) in codes.enumerated() {
            time = time + .minutes(Int64(code % 7) * 37 + Int64(code % 3) * 600)
            let user = code % 2 == 0 ? "u1" : "u2"
            let application: Value = code % 4 < 2 ? "A-1" : "A-2"
            let name: String
            var properties: [String: Value] = [:]
            switch code % 8 {
            case 0, 1:
                name = "Application Status Changed"
                properties = [
                    "application_id": application, "service": "s", "status": code % 5 == 0 ? "submitted" : "draft",
                ]
            case 2:
                name = "Product Added"
                properties = ["cart_id": code % 3 == 0 ? "C1" : "C2", "sku": "s", "name": "n", "price": 5]
            case 3:
                name = "Order Completed"
                properties = ["order_id": .string("O\(index)"), "total": 10]
            case 4:
                name = "Signed Up"
                properties = ["method": "email"]
            case 5:
                name = "Ticket Purchased"
                properties = ["ticket_id": .string("T\(code % 3)"), "draw_id": "D", "game": "g", "amount": 1]
            case 6:
                name = "Draw Result"
                properties = [
                    "ticket_id": .string("T\(code % 3)"), "draw_id": "D", "prize": .int(Int64(code % 2) * 100),
                ]
            default:
                name = "Message Delivered"
                properties = ["message_id": "unknown", "channel": "push", "scenario": "x", "step": "y"]
            }
            events.append(
                Event(name: name, messageId: "m\(index)", userId: user, properties: properties, timestamp: time))
        }
        return events
    }

    @Test("same inputs give the same timeline and the same states, message ids included")
    func determinism() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...1000).array(of: 1...25)) { codes in
            let events = Self.events(codes)
            let first = Simulator.run(engine: Self.engine, events: events, horizon: .days(40))
            let second = Simulator.run(engine: Self.engine, events: events, horizon: .days(40))
            #expect(first.timeline == second.timeline)
            #expect(first.states == second.states)
        }
    }

    @Test("states survive a JSON round trip unchanged, so persisting them changes nothing")
    func stateRoundTrip() async throws {
        await propertyCheck(count: 40, input: Gen.int(in: 0...1000).array(of: 1...20)) { codes in
            var simulator = Simulator(engine: Self.engine, start: TestSupport.at("2026-05-01T09:00:00Z"))
            for event in Self.events(codes) {
                simulator.feed(event)
                for state in simulator.states.values {
                    let data = try JSONEncoder().encode(state)
                    #expect(try JSONDecoder().decode(CustomerState.self, from: data) == state)
                }
            }
        }
    }

    @Test("no step sends twice for one instance; message ids are unique")
    func noDoubleSends() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...1000).array(of: 1...30)) { codes in
            let run = Simulator.run(engine: Self.engine, events: Self.events(codes), horizon: .days(40))
            let sends = run.sends
            let pairs = sends.map { "\($0.customerId)|\($0.instance)|\($0.step)" }
            #expect(Set(pairs).count == pairs.count)
            #expect(Set(sends.compactMap(\.messageId)).count == sends.count)
            // The cascade never sends both channels for one ticket when the push was delivered,
            // and never more than one of each.
            let cascade = sends.filter { $0.scenario == "cascade-ticket-confirmation" }
            for instance in Set(cascade.map(\.instance)) {
                #expect(cascade.filter { $0.instance == instance }.count <= 2)
            }
        }
    }

    @Test("the generated streams reach instances waiting at several different steps")
    func streamsCoverSteps() {
        var steps = Set<String>()
        for seed in 0..<200 {
            let codes = (0..<15).map { ($0 * 7919 + seed * 104_729) % 1001 }
            var simulator = Simulator(engine: Self.engine, start: TestSupport.at("2026-05-01T09:00:00Z"))
            for event in Self.events(codes) { simulator.feed(event) }
            for state in simulator.states.values {
                steps.formUnion(state.instances.map { "\($0.scenario).\($0.step)" })
            }
        }
        #expect(
            steps.isSuperset(of: [
                "abandoned-cart.collect_cart", "abandoned-cart.wait_a_day", "welcome.keep_banner",
                "cascade-ticket-confirmation.wait_for_delivery", "draft-application-reminder.wait_for_progress",
            ]))
        #expect(steps.count >= 5, "\(steps.sorted())")
    }

    @Test("a goal ends an instance from any step, at once, and cancels its timer")
    func goalEndsFromAnyStep() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...1000).array(of: 1...20), Gen.int(in: 0...3000)) {
            codes, wait in
            var simulator = Simulator(engine: Self.engine, start: TestSupport.at("2026-05-01T09:00:00Z"))
            for event in Self.events(codes) { simulator.feed(event) }
            simulator.advance(to: simulator.now + .minutes(Int64(wait)))
            for (customer, state) in simulator.states {
                let order = Event(
                    name: "Order Completed", messageId: "goal", userId: customer, properties: ["order_id": "G"],
                    timestamp: simulator.now)
                let result = Self.engine.transition(state, .event(order), now: simulator.now)
                let goalScenarios: Set<String> = ["abandoned-cart", "welcome"]
                let before = state.instances.filter { goalScenarios.contains($0.scenario) }
                #expect(!result.state.instances.contains { goalScenarios.contains($0.scenario) })
                for instance in before {
                    let completed = result.effects.contains {
                        if case .completed(let completion) = $0 {
                            return completion.origin.instance == instance.id && completion.reason.isConversion
                        }
                        return false
                    }
                    #expect(completed)
                    if let timer = instance.timer {
                        #expect(result.effects.contains(.cancelTimer(id: timer.id)))
                    }
                }
                // Instances without that goal are untouched.
                let others = state.instances.filter { !goalScenarios.contains($0.scenario) }
                #expect(result.state.instances.filter { !goalScenarios.contains($0.scenario) } == others)
            }
        }
    }
}

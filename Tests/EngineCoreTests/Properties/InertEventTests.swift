import PropertyBased
import Testing

@testable import EngineCore

/// `ScenarioEngine.mayChange(with:)` lets the runtime skip events without loading the customer:
/// it must never call an event inert that a transition would act on.
@Suite("Inert events")
struct InertEventTests {
    static let engine = TransitionPropertyTests.engine

    /// Events the samples do not listen to, and some they do, for the same customers.
    static func probes(customer: String, at time: Timestamp) -> [Event] {
        [
            Event(kind: .page, name: "Catalog", messageId: "p1", userId: customer, timestamp: time),
            Event(kind: .screen, name: "Home", messageId: "s1", userId: customer, timestamp: time),
            Event(
                name: "Checkout Started", messageId: "t1", userId: customer, properties: ["cart_id": "C1"],
                timestamp: time),
            Event(name: "Product Viewed", messageId: "t2", userId: customer, properties: ["sku": "s"], timestamp: time),
            Event(
                kind: .identify, name: "", messageId: "i1", userId: customer, traits: ["tier": "gold"], timestamp: time),
            Event(
                name: "Order Completed", messageId: "t3", userId: customer, properties: ["order_id": "O"],
                timestamp: time),
            Event(
                name: "Unsubscribed", messageId: "t4", userId: customer, properties: ["channel": "email"],
                timestamp: time),
            Event(
                name: "Message Bounced", messageId: "t5", userId: customer,
                properties: ["channel": "email", "bounce_type": "hard"], timestamp: time),
        ]
    }

    @Test("an event called inert leaves every reachable state unchanged and has no effects")
    func inertChangesNothing() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...1000).array(of: 1...25)) { codes in
            var simulator = Simulator(engine: Self.engine, start: TestSupport.at("2026-05-01T09:00:00Z"))
            for event in TransitionPropertyTests.events(codes) { simulator.feed(event) }
            for (customer, state) in simulator.states {
                for probe in Self.probes(customer: customer, at: simulator.now)
                where !Self.engine.mayChange(with: probe) {
                    let result = Self.engine.transition(state, .event(probe), now: simulator.now)
                    #expect(result.state == state, "\(probe.indexKey) changed \(customer)")
                    #expect(result.effects.isEmpty, "\(probe.indexKey) had effects for \(customer)")
                }
            }
        }
    }

    @Test("what the samples listen to, identify and contact feedback may change; the rest is inert")
    func classification() {
        let time = TestSupport.at("2026-05-01T09:00:00Z")
        let verdicts = Dictionary(
            Self.probes(customer: "u1", at: time).map { ($0.indexKey, Self.engine.mayChange(with: $0)) },
            uniquingKeysWith: { first, _ in first })
        #expect(
            verdicts == [
                "$page": false, "$screen": false, "Checkout Started": false, "Product Viewed": false,
                "$identify": true, "Order Completed": true, "Unsubscribed": true, "Message Bounced": true,
            ])
    }

    @Test("an empty catalog finds only identify and contact feedback worth loading")
    func emptyCatalog() throws {
        let engine = ScenarioEngine(catalog: try ScenarioCatalog([]))
        let time = TestSupport.at("2026-05-01T09:00:00Z")
        let changing = Self.probes(customer: "u1", at: time).filter(engine.mayChange).map(\.indexKey)
        #expect(changing == ["$identify", "Unsubscribed", "Message Bounced"])
    }
}

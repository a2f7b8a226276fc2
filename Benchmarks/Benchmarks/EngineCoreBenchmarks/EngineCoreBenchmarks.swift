import Benchmark
import EngineCore

/// Transitions per second of the pure core on the paths every event or timer takes, and the JSON
/// decoding every event goes through first.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    let fixture = TransitionFixture.make()

    Benchmark("event nobody listens to") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(fixture.engine.transition(fixture.waiting, fixture.unrelated, now: fixture.now))
        }
    }

    Benchmark("event enters a scenario (condition, key, vars, wait)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(fixture.engine.transition(fixture.empty, fixture.productAdded, now: fixture.now))
        }
    }

    Benchmark("timer fires, send, end") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(fixture.engine.transition(fixture.waiting, fixture.timer, now: fixture.now))
        }
    }

    Benchmark("goal ends a waiting instance") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(fixture.engine.transition(fixture.waiting, fixture.orderCompleted, now: fixture.now))
        }
    }

    jsonBenchmarks()
}

/// One abandoned-cart scenario, a customer before and after entering it, and the inputs.
struct TransitionFixture: Sendable {
    var engine: ScenarioEngine
    var now: Timestamp
    var empty: CustomerState
    var waiting: CustomerState
    var productAdded: Input
    var orderCompleted: Input
    var unrelated: Input
    var timer: Input

    static let yaml = """
        id: cart
        version: 1
        trigger:
          event: Product Added
          when: event.properties.price > 10
        entry:
          key: event.properties.cart_id
        vars:
          cart_id: event.properties.cart_id
        goals:
          - event: Order Completed
            when: event.properties.cart_id == instance.cart_id
        steps:
          wait:
            wait: 2h
            next: mail
          mail:
            send:
              channel: email
              template: cart
              variables:
                name: profile.first_name
        """

    static func make() -> TransitionFixture {
        guard case .success(let scenario) = ScenarioLoader.load(yaml: yaml, file: "benchmark.yaml"),
            let catalog = try? ScenarioCatalog([scenario])
        else { fatalError("the benchmark scenario must load") }
        let engine = ScenarioEngine(catalog: catalog)
        let now = Timestamp(milliseconds: 1_780_000_000_000)
        let empty = CustomerState(customerId: "customer-1", profile: ["first_name": "Ana"])
        let productAdded = Input.event(
            Event(
                name: "Product Added", messageId: "m1", userId: "customer-1",
                properties: ["cart_id": "C1", "price": 20], timestamp: now))
        let waiting = engine.transition(empty, productAdded, now: now).state
        guard let timerId = waiting.instances.first?.timer?.id else { fatalError("the instance must wait") }
        return TransitionFixture(
            engine: engine, now: now, empty: empty, waiting: waiting, productAdded: productAdded,
            orderCompleted: .event(
                Event(
                    name: "Order Completed", messageId: "m2", userId: "customer-1", properties: ["cart_id": "C1"],
                    timestamp: now)),
            unrelated: .event(Event(name: "Page Viewed", messageId: "m3", userId: "customer-1", timestamp: now)),
            timer: .timer(id: timerId))
    }
}

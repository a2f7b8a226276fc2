import EngineCore
import Foundation
import NudgeKafka
import Testing

@Suite("Identity merge and content slots", .serialized, .timeLimit(.minutes(3)))
struct IdentityAndContentTests {
    static let browse = """
        id: browse-reminder
        version: 1
        name: Cart reminder a few seconds later
        owner: tests
        status: active
        trigger:
          event: Product Added
        entry:
          key: event.properties.cart_id
        vars:
          cart_id: event.properties.cart_id
        goals:
          - id: ordered
            event: Order Completed
        start: later
        steps:
          later:
            wait: 4s
            next: remind
          remind:
            send:
              channel: email
              template: cart
              variables:
                cart_id: instance.cart_id
                first_name: profile.first_name
            next: done
          done:
            end: {}
        """

    static let banner = """
        id: banner
        version: 1
        name: Banner until first order
        owner: tests
        status: active
        trigger:
          event: Signed Up
        entry:
          once: true
        goals:
          - id: ordered
            event: Order Completed
        start: show
        steps:
          show:
            show:
              slot: home_hero
              ttl: 30d
              until_exit: true
              payload:
                title: Welcome
                code: WELCOME10
            next: wait
          wait:
            wait: 30d
            next: done
          done:
            end: {}
        """

    func added(_ customer: String, cart: String, anonymous: Bool) -> SegmentEvent {
        SegmentEvent(
            event: "Product Added", customerId: customer, properties: ["cart_id": .string(cart), "sku": "s1"],
            anonymous: anonymous)
    }

    @Test func anAnonymousVisitorsInstancesFollowThemIntoTheirAccount() async throws {
        let env = try await EngineTestEnvironment("identity", scenarios: ["browse.yaml": Self.browse])
        try await env.createTopics()
        let producer = try env.producer()
        try await env.withEngine {
            try await env.send([added("anon-7", cart: "cart-1", anonymous: true)], with: producer)
            try await Task.sleep(for: .seconds(1))
            try await env.send(
                [
                    SegmentEvent(
                        type: "identify", event: "", customerId: "known-7", traits: ["first_name": "Kim"],
                        anonymousId: "anon-7")
                ], with: producer)
            try await Task.sleep(for: .seconds(1))
            // Still browsing under the anonymous id after login: forwarded to the account.
            try await env.send([added("anon-7", cart: "cart-2", anonymous: true)], with: producer)

            let sent = try await env.waitForOutbound(timeout: .seconds(30)) { $0.count >= 2 }
            try await Task.sleep(for: .seconds(2))
            let final = try await env.outboundMessages()
            #expect(final.count == 2)
            #expect(final.allSatisfy { $0[text: "customer_id"] == "known-7" })
            let carts = Set(final.compactMap { message -> String? in
                guard case .object(let variables)? = message["variables"] else { return nil }
                #expect(variables["first_name"] == .string("Kim"))
                return variables["cart_id"]?.stringValue
            })
            #expect(carts == ["cart-1", "cart-2"])
            #expect(sent.count >= 2)
            #expect(try await env.customerState("anon-7") == nil)
        }
        await producer.shutdown()
    }

    @Test func showAndGoalFillAndClearTheCustomersSlot() async throws {
        let env = try await EngineTestEnvironment("slots", scenarios: ["banner.yaml": Self.banner])
        try await env.createTopics()
        let producer = try env.producer()
        try await env.withEngine {
            try await env.send([SegmentEvent(event: "Signed Up", customerId: "shopper")], with: producer)
            var slots: [String: Value] = [:]
            let deadline = ContinuousClock.now + .seconds(20)
            while slots.isEmpty, ContinuousClock.now < deadline {
                slots = try await env.slots("shopper")
                try await Task.sleep(for: .milliseconds(200))
            }
            let hero = try #require(slots["home_hero"])
            #expect(hero[member: "payload"][member: "code"] == .string("WELCOME10"))
            #expect(hero[member: "scenario"] == .string("banner"))
            #expect(hero[member: "expires_at"] != .null)

            try await env.send([SegmentEvent(event: "Order Completed", customerId: "shopper")], with: producer)
            let cleared = ContinuousClock.now + .seconds(20)
            while !slots.isEmpty, ContinuousClock.now < cleared {
                slots = try await env.slots("shopper")
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(slots.isEmpty)
        }
        await producer.shutdown()
    }
}

import Foundation
import Testing

@testable import EngineCore

@Suite("Transition function")
struct EngineTests {
    static let reminderV1 = """
        id: reminder
        version: 1
        trigger:
          event: Signed Up
        steps:
          pause:
            wait: 1h
            next: first
          first:
            send:
              channel: email
              template: v1-template
        """

    static let reminderV2 = """
        id: reminder
        version: 2
        trigger:
          event: Signed Up
        steps:
          pause:
            wait: 1h
            next: first
          first:
            send:
              channel: sms
              template: v2-template
        """

    let start = TestSupport.at("2026-05-01T10:00:00Z")

    private func signedUp(_ id: String = "m1", at time: Timestamp) -> Input {
        .event(Event(name: "Signed Up", messageId: id, userId: "u1", timestamp: time))
    }

    private func sends(_ effects: [Effect]) -> [SendMessage] {
        effects.compactMap {
            if case .send(let message) = $0 { return message }
            return nil
        }
    }

    @Test("running instances keep their version; new entries get the live one")
    func versionPinning() throws {
        let v1 = try TestSupport.scenario(Self.reminderV1)
        let v2 = try TestSupport.scenario(Self.reminderV2)
        let before = ScenarioEngine(catalog: try ScenarioCatalog([v1]))
        let entered = before.transition(CustomerState(customerId: "u1"), signedUp(at: start), now: start)
        let timer = try #require(entered.state.instances.first?.timer)

        let after = ScenarioEngine(catalog: try ScenarioCatalog([v1, v2]))
        #expect(after.catalog.liveScenario(id: "reminder")?.version == 2)
        let fired = after.transition(entered.state, .timer(id: timer.id), now: timer.at)
        #expect(sends(fired.effects).map(\.template) == ["v1-template"])

        let fresh = after.transition(CustomerState(customerId: "u2"), signedUp(at: start), now: start)
        #expect(fresh.state.instances.first?.version == 2)
    }

    @Test("an instance whose version left the catalog ends instead of running another version")
    func missingVersion() throws {
        let v1 = try TestSupport.scenario(Self.reminderV1)
        let v2 = try TestSupport.scenario(Self.reminderV2)
        let entered = ScenarioEngine(catalog: try ScenarioCatalog([v1]))
            .transition(CustomerState(customerId: "u1"), signedUp(at: start), now: start)
        let timer = try #require(entered.state.instances.first?.timer)
        let fired = ScenarioEngine(catalog: try ScenarioCatalog([v2])).transition(
            entered.state, .timer(id: timer.id), now: timer.at)
        #expect(fired.state.instances.isEmpty)
        #expect(
            fired.effects.contains {
                if case .completed(let c) = $0 { return c.reason == .scenarioMissing }
                return false
            })
    }

    @Test("ids are deterministic and name scenario, version, instance, step and visit")
    func deterministicIds() throws {
        let engine = try TestSupport.engine(yaml: Self.reminderV1)
        let entered = engine.transition(CustomerState(customerId: "u1"), signedUp(at: start), now: start)
        let again = engine.transition(CustomerState(customerId: "u1"), signedUp(at: start), now: start)
        #expect(entered == again)
        let instance = try #require(entered.state.instances.first)
        let timer = try #require(instance.timer)
        #expect(timer.id == "s/\(instance.id)/pause/1")
        #expect(timer.at == start + .hours(1))
        let fired = engine.transition(entered.state, .timer(id: timer.id), now: timer.at)
        #expect(sends(fired.effects).map(\.messageId) == ["reminder/1/\(instance.id)/first/2"])
    }

    @Test("a timer id that matches nothing (cancelled, replayed) changes nothing")
    func staleTimer() throws {
        let engine = try TestSupport.engine(yaml: Self.reminderV1)
        let entered = engine.transition(CustomerState(customerId: "u1"), signedUp(at: start), now: start)
        let stale = engine.transition(entered.state, .timer(id: "s/nothing/pause/1"), now: start + .hours(2))
        #expect(stale.state == entered.state)
        #expect(stale.effects.isEmpty)
    }

    @Test("entry rules: one active instance per customer by default, once ever, once per period")
    func entryRules() throws {
        let always = try TestSupport.engine(yaml: Self.reminderV1)
        var state = always.transition(CustomerState(customerId: "u1"), signedUp("a", at: start), now: start).state
        state = always.transition(state, signedUp("b", at: start + .minutes(5)), now: start + .minutes(5)).state
        #expect(state.instances.count == 1)

        let oncePer = try TestSupport.engine(
            yaml: """
                id: greet
                version: 1
                trigger:
                  event: Signed Up
                entry:
                  once_per: 7d
                steps:
                  hello:
                    send:
                      channel: email
                      template: hello
                """)
        var counts: [Int] = []
        var customer = CustomerState(customerId: "u1")
        for day in [0, 3, 8, 9, 16] {
            let time = start + .days(Int64(day))
            let result = oncePer.transition(customer, signedUp("d\(day)", at: time), now: time)
            customer = result.state
            counts.append(sends(result.effects).count)
        }
        #expect(counts == [1, 0, 1, 0, 1])
    }

    @Test("identify plans a date trigger; changing the date re-plans it; removing it cancels it")
    func dateTriggerPlanning() throws {
        let engine = try TestSupport.engine(samples: ["expiring-bonus"])
        func identify(_ traits: [String: Value], _ state: CustomerState) -> Transition {
            engine.transition(
                state,
                .event(
                    Event(kind: .identify, name: "", messageId: "i", userId: "u1", traits: traits, timestamp: start)),
                now: start)
        }
        let planned = identify(["bonus_expires_at": "2026-06-01T00:00:00Z"], CustomerState(customerId: "u1"))
        #expect(
            planned.effects == [
                .scheduleTimer(PendingTimer(id: "d/expiring-bonus", at: TestSupport.at("2026-05-25T10:00:00Z")))
            ])
        let same = identify(["bonus_expires_at": "2026-06-01T00:00:00Z"], planned.state)
        #expect(same.effects.isEmpty)
        let removed = identify(["bonus_expires_at": nil], planned.state)
        #expect(removed.effects == [.cancelTimer(id: "d/expiring-bonus")])
        #expect(removed.state.triggerTimers.isEmpty)
    }

    @Test("replan plans date triggers of newly deployed scenarios and drops those no longer live")
    func replan() throws {
        let bonus = try TestSupport.sample("expiring-bonus")
        let profile: [String: Value] = ["bonus_expires_at": "2026-06-01T00:00:00Z", "bonus_balance": 5]
        let before = ScenarioEngine(catalog: try ScenarioCatalog([]))
        let state = CustomerState(customerId: "u1", profile: profile, triggerTimers: ["d/retired": start])
        let planned = ScenarioEngine(catalog: try ScenarioCatalog([bonus])).transition(state, .replan, now: start)
        #expect(planned.state.triggerTimers == ["d/expiring-bonus": TestSupport.at("2026-05-25T10:00:00Z")])
        #expect(planned.effects.contains(.cancelTimer(id: "d/retired")))
        let unplanned = before.transition(planned.state, .replan, now: start)
        #expect(unplanned.state.triggerTimers.isEmpty)
        #expect(unplanned.effects == [.cancelTimer(id: "d/expiring-bonus")])
    }

    @Test("once-per records that no longer block are pruned from the state")
    func entryPruning() throws {
        let engine = try TestSupport.engine(
            yaml: """
                id: keyed
                version: 1
                trigger:
                  event: Product Added
                entry:
                  key: event.properties.cart_id
                  once_per: 1d
                steps:
                  hello:
                    send:
                      channel: email
                      template: hello
                """)
        var state = CustomerState(customerId: "u1")
        for (index, cart) in ["C1", "C2", "C3"].enumerated() {
            let time = start + .days(Int64(index) * 2)
            let event = Event(
                name: "Product Added", messageId: cart, userId: "u1", properties: ["cart_id": .string(cart)],
                timestamp: time)
            state = engine.transition(state, .event(event), now: time).state
        }
        #expect(state.entries.keys.sorted() == ["keyed|C3"])
    }

    @Test("a stored state with an active instance and its timer stays well under 1 KB")
    func compactState() throws {
        let engine = try TestSupport.engine(samples: ["draft-application-reminder"])
        let event = Event(
            name: "Application Status Changed", messageId: "m1", userId: "customer-0001234567",
            properties: ["application_id": "APP-2026-000123", "service": "export-license", "status": "draft"],
            timestamp: start)
        var state = CustomerState(
            customerId: "customer-0001234567",
            profile: ["first_name": "Anastasia", "email": "anastasia@example.com", "timezone": "Europe/Berlin"])
        state = engine.transition(state, .event(event), now: start).state
        let bytes = try JSONEncoder().encode(state).count
        #expect(state.instances.count == 1)
        #expect(bytes < 600, "state is \(bytes) bytes")
    }

    @Test("wait until a local time of day is DST-correct")
    func untilLocalTime() {
        let berlin = TimeZone(identifier: "Europe/Berlin") ?? .current
        let time = TimeOfDay(hour: 10, minute: 0)
        // The night the clocks go forward: 10:00 on Sunday 2026-03-29 is already summer time.
        let beforeSpring = TestSupport.at("2026-03-28T12:00:00Z")
        #expect(
            time.map { LocalTime.next($0, after: beforeSpring, in: berlin) } == TestSupport.at("2026-03-29T08:00:00Z"))
        let beforeAutumn = TestSupport.at("2026-10-24T12:00:00Z")
        #expect(
            time.map { LocalTime.next($0, after: beforeAutumn, in: berlin) } == TestSupport.at("2026-10-25T09:00:00Z"))
        let earlyMorning = TestSupport.at("2026-05-01T05:00:00Z")
        #expect(
            time.map { LocalTime.next($0, after: earlyMorning, in: berlin) } == TestSupport.at("2026-05-01T08:00:00Z"))
    }

    @Test("a branch picks the first true case, and feedback events reach waiting instances")
    func branchAndFeedback() throws {
        let engine = try TestSupport.engine(
            yaml: """
                id: vip
                version: 1
                trigger:
                  event: Order Completed
                vars:
                  total: event.properties.total
                steps:
                  route:
                    branch:
                      - when: instance.total >= 1000
                        next: vip_mail
                      - when: instance.total >= 100
                        next: thanks
                    otherwise: done
                  vip_mail:
                    send:
                      channel: email
                      template: vip
                    next: wait_open
                  wait_open:
                    wait_for:
                      event: Message Opened
                      when: event.properties.message_id == instance.last_message_id
                      timeout: 3d
                    on_event: thanks
                  thanks:
                    send:
                      channel: push
                      template: thanks
                  done:
                    end: {}
                """)
        func order(_ total: Int64) -> Input {
            .event(
                Event(
                    name: "Order Completed", messageId: "o\(total)", userId: "u1", properties: ["total": .int(total)],
                    timestamp: start))
        }
        let vip = engine.transition(CustomerState(customerId: "u1"), order(5000), now: start)
        #expect(sends(vip.effects).map(\.template) == ["vip"])
        let messageId = try #require(sends(vip.effects).first?.messageId)
        let opened = DeliveryFeedback(
            messageId: messageId, status: .opened, channel: "email", scenario: "vip", step: "vip_mail", at: start)
        let afterOpen = engine.transition(vip.state, .feedback(opened), now: start + .minutes(3))
        #expect(sends(afterOpen.effects).map(\.template) == ["thanks"])
        #expect(afterOpen.state.instances.isEmpty)

        #expect(
            sends(engine.transition(CustomerState(customerId: "u1"), order(150), now: start).effects).map(\.template)
                == ["thanks"])
        #expect(sends(engine.transition(CustomerState(customerId: "u1"), order(10), now: start).effects).isEmpty)

        // Without on_timeout, a timed-out wait ends the instance with reason "timeout".
        let timer = try #require(vip.state.instances.first?.timer)
        let timedOut = engine.transition(vip.state, .timer(id: timer.id), now: timer.at)
        #expect(
            timedOut.effects.contains {
                if case .completed(let c) = $0 { return c.reason == .timeout }
                return false
            })
    }

    @Test("set updates the profile and instance, emit produces an event with a derived id")
    func setAndEmit() throws {
        let engine = try TestSupport.engine(
            yaml: """
                id: tagger
                version: 1
                trigger:
                  event: Order Completed
                steps:
                  tag:
                    set:
                      profile:
                        last_order_total: event.properties.total
                      instance:
                        doubled: event.properties.total * 2
                    next: announce
                  announce:
                    emit:
                      event: Customer Tagged
                      properties:
                        doubled: instance.doubled
                """)
        let result = engine.transition(
            CustomerState(customerId: "u1"),
            .event(
                Event(
                    name: "Order Completed", messageId: "o1", userId: "u1", properties: ["total": 21], timestamp: start)
            ),
            now: start)
        #expect(result.state.profile["last_order_total"] == 21)
        let emitted = result.effects.compactMap { effect -> EmittedEvent? in
            if case .emitEvent(let event) = effect { return event }
            return nil
        }
        #expect(emitted.map(\.name) == ["Customer Tagged"])
        #expect(emitted.first?.properties["doubled"] == 42)
        #expect(emitted.first?.messageId.hasPrefix("e/tagger/1/") == true)
    }
}

import Testing

@testable import EngineCore

@Suite("Samples: cascade push -> SMS, win notification, reactivation")
struct LotterySampleTests {
    private func ticket(_ id: String, user: String = "u1", at time: String) -> Event {
        TestSupport.track(
            "Ticket Purchased", user: user, ["ticket_id": .string(id), "draw_id": "D-7", "game": "lotto", "amount": 2],
            at: time)
    }

    @Test("push delivered within 10 minutes: no SMS")
    func pushDelivered() throws {
        let engine = try TestSupport.engine(samples: ["cascade-ticket-confirmation"])
        var simulator = Simulator(engine: engine, start: TestSupport.at("2026-05-01T10:00:00Z"))
        simulator.feed(ticket("T-1", at: "2026-05-01T10:00:00Z"))
        let push = try #require(simulator.sends.first)
        #expect(push.channel == "push")
        simulator.feed(
            DeliveryFeedback(
                messageId: try #require(push.messageId), status: .delivered, channel: "push", scenario: push.scenario,
                step: push.step, at: TestSupport.at("2026-05-01T10:02:00Z")), customer: "u1")
        simulator.drain(until: TestSupport.at("2026-05-02T00:00:00Z"))
        #expect(simulator.sends.map(\.channel) == ["push"])
        #expect(simulator.ends.map(\.reason) == ["end"])
        #expect(simulator.pendingTimers == 0)
    }

    @Test("push not delivered within 10 minutes: one SMS at +10m, never both delivered and SMS")
    func pushNotDelivered() throws {
        let engine = try TestSupport.engine(samples: ["cascade-ticket-confirmation"])
        var simulator = Simulator(engine: engine, start: TestSupport.at("2026-05-01T10:00:00Z"))
        simulator.feed(ticket("T-1", at: "2026-05-01T10:00:00Z"))
        // Feedback about some other message does not count as this push's delivery.
        simulator.feed(
            DeliveryFeedback(
                messageId: "other", status: .delivered, channel: "push", scenario: "x", step: "y",
                at: TestSupport.at("2026-05-01T10:01:00Z")), customer: "u1")
        simulator.drain(until: TestSupport.at("2026-05-02T00:00:00Z"))
        #expect(simulator.sends.map(\.channel) == ["push", "sms"])
        #expect(simulator.sends.last?.at == TestSupport.at("2026-05-01T10:10:00Z"))
        #expect(simulator.sends.allSatisfy { $0.data?["game"] == "lotto" })
    }

    @Test("winners are notified with the amount; losing tickets get nothing")
    func winNotification() throws {
        let engine = try TestSupport.engine(samples: ["win-notification"])
        let run = TestSupport.run(
            engine,
            [
                TestSupport.identify(user: "u1", ["push_token": "tok"], at: "2026-05-01T09:00:00Z"),
                TestSupport.track(
                    "Draw Result", user: "u1", ["draw_id": "D-7", "ticket_id": "T-1", "prize": 250],
                    at: "2026-05-01T20:00:00Z"),
                TestSupport.track(
                    "Draw Result", user: "u1", ["draw_id": "D-7", "ticket_id": "T-2", "prize": 0],
                    at: "2026-05-01T20:00:00Z"),
                TestSupport.track(
                    "Draw Result", user: "u2", ["draw_id": "D-7", "ticket_id": "T-3", "prize": 10.5],
                    at: "2026-05-01T20:00:00Z"),
            ])
        #expect(run.sends.map(\.customerId) == ["u1", "u2"])
        #expect(run.sends.map(\.channel) == ["push", "email"])
        #expect(run.sends.first?.data?["prize"] == 250)
        #expect(run.sends.last?.data?["prize"] == 10.5)
    }

    @Test("no ticket for 14 days: reactivation at 18:00 local, at most once a month")
    func reactivation() throws {
        let engine = try TestSupport.engine(samples: ["lottery-reactivation"])
        let run = TestSupport.run(
            engine,
            [
                TestSupport.identify(["timezone": "Europe/Berlin"], at: "2026-05-01T08:00:00Z"),
                ticket("T-1", at: "2026-05-01T10:00:00Z"),
                ticket("T-2", at: "2026-05-10T10:00:00Z"),  // pushes the deadline to May 24
                ticket("T-3", at: "2026-05-25T10:00:00Z"),  // buys again: goal; next deadline June 8
                ticket("T-4", at: "2026-06-20T10:00:00Z"),  // next deadline July 4: more than 30 days after May 24
            ], horizon: .days(20))
        let enters = run.entries(.enter).map(\.at)
        #expect(enters == [TestSupport.at("2026-05-24T10:00:00Z"), TestSupport.at("2026-07-04T10:00:00Z")])
        // 18:00 in Berlin is 16:00 UTC in summer; the control group (10%) gets nothing.
        #expect(run.sends.allSatisfy { ISO8601.format($0.at).hasSuffix("T16:00:00Z") })
        #expect(run.ends.first?.reason == "goal:bought_again")
    }

    @Test("the A/B split and the 10% holdout are deterministic per customer and roughly follow the percentages")
    func splitIsStable() throws {
        let engine = try TestSupport.engine(samples: ["lottery-reactivation"])
        var events: [Event] = []
        for index in 0..<400 { events.append(ticket("T-\(index)", user: "c\(index)", at: "2026-05-01T10:00:00Z")) }
        let first = TestSupport.run(engine, events, horizon: .days(20))
        let second = TestSupport.run(engine, events, horizon: .days(20))
        #expect(first.timeline == second.timeline)
        let push = first.sends.filter { $0.channel == "push" }.count
        let email = first.sends.filter { $0.channel == "email" }.count
        let heldOut = Set(first.entries(.holdout).map(\.customerId))
        #expect((140...220).contains(push))
        #expect((140...220).contains(email))
        #expect((15...70).contains(heldOut.count))
        #expect(push + email + heldOut.count == 400)
        // The holdout runs the same path and gets the offer withheld, not skipped: its step and
        // the reason show in the timeline, and nobody in it is sent anything.
        let withheld = first.entries(.suppress).filter { $0.decision == "suppressed:holdout" }
        #expect(Set(withheld.map(\.customerId)) == heldOut)
        #expect(first.sends.allSatisfy { !heldOut.contains($0.customerId) })
    }

    @Test("holdout members are followed to the goal like the treated, so the uplift can be measured")
    func holdoutReachesGoal() throws {
        let engine = try TestSupport.engine(samples: ["lottery-reactivation"])
        var events: [Event] = []
        for index in 0..<200 {
            events.append(ticket("T-\(index)", user: "c\(index)", at: "2026-05-01T10:00:00Z"))
            // Buys again after the offer (18:00 on May 15): the goal ends the instance.
            events.append(ticket("T-\(index)b", user: "c\(index)", at: "2026-05-16T10:00:00Z"))
        }
        let run = TestSupport.run(engine, events, horizon: .days(20))
        let heldOut = Set(run.entries(.holdout).map(\.customerId))
        #expect(!heldOut.isEmpty)
        let converted = Set(run.ends.filter { $0.reason == "goal:bought_again" }.map(\.customerId))
        #expect(heldOut.isSubset(of: converted))
        #expect(converted.count == 200)
    }
}

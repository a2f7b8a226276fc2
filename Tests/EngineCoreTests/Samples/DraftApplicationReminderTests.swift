import Testing

@testable import EngineCore

@Suite("Sample: draft application reminder")
struct DraftApplicationReminderTests {
    let engine: ScenarioEngine

    init() throws {
        engine = try TestSupport.engine(samples: ["draft-application-reminder"])
    }

    private func status(_ status: String, application: String = "A-1", user: String = "u1", at time: String) -> Event {
        TestSupport.track(
            "Application Status Changed", user: user,
            ["application_id": .string(application), "service": "export-license", "status": .string(status)], at: time)
    }

    @Test("status changes before N hours: no email, the goal ends the instance")
    func statusChangesInTime() {
        let run = TestSupport.run(
            engine,
            [
                status("draft", at: "2026-05-01T09:00:00Z"),
                status("submitted", at: "2026-05-01T20:00:00Z"),
            ])
        #expect(run.sends.isEmpty)
        #expect(run.ends.map(\.reason) == ["goal:left_draft"])
        #expect(run.ends.first?.conversion == true)
        #expect(run.pendingTimers == 0)
    }

    @Test("stays draft: exactly one email, at N hours, with the user's data")
    func staysDraft() throws {
        let run = TestSupport.run(
            engine,
            [
                TestSupport.identify(["first_name": "Ana"], at: "2026-05-01T08:00:00Z"),
                status("draft", at: "2026-05-01T09:00:00Z"),
            ])
        #expect(run.sends.count == 1)
        let email = try #require(run.sends.first)
        #expect(email.at == TestSupport.at("2026-05-02T09:00:00Z"))
        #expect(email.channel == "email")
        #expect(email.template == "draft-application-reminder")
        #expect(email.data?["first_name"] == "Ana")
        #expect(email.data?["service"] == "export-license")
        #expect(email.data?["application_id"] == "A-1")
        #expect(run.ends.map(\.reason) == ["end"])
    }

    @Test("clicks and submits after the email: ends as a conversion, no second email")
    func clicksAndSubmits() throws {
        var simulator = Simulator(engine: engine, start: TestSupport.at("2026-05-01T09:00:00Z"))
        simulator.feed(status("draft", at: "2026-05-01T09:00:00Z"))
        simulator.advance(to: TestSupport.at("2026-05-02T10:00:00Z"))
        let email = try #require(simulator.sends.first)
        let click = DeliveryFeedback(
            messageId: try #require(email.messageId), status: .clicked, channel: "email",
            scenario: email.scenario, step: email.step, at: TestSupport.at("2026-05-02T10:05:00Z"))
        simulator.feed(click, customer: "u1")
        simulator.feed(status("submitted", at: "2026-05-02T10:30:00Z"))
        simulator.drain(until: TestSupport.at("2026-07-01T00:00:00Z"))
        #expect(simulator.sends.count == 1)
        #expect(simulator.ends.map(\.reason) == ["goal:left_draft"])
        #expect(simulator.ends.first?.at == TestSupport.at("2026-05-02T10:30:00Z"))
        #expect(simulator.pendingTimers == 0)
    }

    @Test("one instance per application: two applications get two emails, a repeated draft event none more")
    func onePerApplication() {
        let run = TestSupport.run(
            engine,
            [
                status("draft", application: "A-1", at: "2026-05-01T09:00:00Z"),
                status("draft", application: "A-2", at: "2026-05-01T09:30:00Z"),
                status("draft", application: "A-1", at: "2026-05-01T10:00:00Z"),
                status("submitted", application: "A-2", at: "2026-05-01T11:00:00Z"),
            ])
        #expect(run.sends.count == 1)
        #expect(run.sends.first?.data?["application_id"] == "A-1")
        #expect(run.entries(.enter).count == 2)
    }
}

import EngineCore
import Foundation
import NudgeKafka
import Testing

/// The draft-application reminder from rules/, with its wait shortened to seconds, running on
/// the real engine over Kafka and Redis.
@Suite("Draft reminder end to end", .serialized, .timeLimit(.minutes(3)))
struct DraftReminderEndToEndTests {
    static func scenario() throws -> String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../rules/draft-application-reminder.yaml")
        let yaml = try String(contentsOf: path, encoding: .utf8)
        guard yaml.contains("remind_after: 24h") else { throw TestFailure("sample changed: no 'remind_after: 24h'") }
        return yaml.replacingOccurrences(of: "remind_after: 24h", with: "remind_after: 4s")
    }

    func status(_ customer: String, _ application: String, _ status: String) -> SegmentEvent {
        SegmentEvent(
            event: "Application Status Changed", customerId: customer,
            properties: [
                "application_id": .string(application), "service": .string("export-licence"),
                "status": .string(status),
            ])
    }

    @Test func onlyTheCustomerWhoStaysInDraftGetsOneEmailAndAClickThenSubmitEnds() async throws {
        let env = try await EngineTestEnvironment("draft", scenarios: ["draft.yaml": try Self.scenario()])
        try await env.createTopics()
        let producer = try env.producer()
        try await env.withEngine {
            // submits: leaves draft before N; stays: never leaves; clicks: gets the email, then submits.
            try await env.send(
                [
                    SegmentEvent(type: "identify", event: "", customerId: "stays", traits: ["first_name": "Sam"]),
                    status("submits", "app-1", "draft"), status("stays", "app-2", "draft"),
                    status("clicks", "app-3", "draft"),
                ], with: producer)
            try await Task.sleep(for: .seconds(1))
            try await env.send([status("submits", "app-1", "submitted")], with: producer)

            let afterReminder = try await env.waitForOutbound(timeout: .seconds(30)) { $0.count >= 2 }
            #expect(Set(afterReminder.compactMap { $0[text: "customer_id"] }) == ["stays", "clicks"])
            let clicked = try #require(afterReminder.first { $0[text: "customer_id"] == "clicks" })
            try await env.send(
                [
                    SegmentEvent(
                        event: "Message Clicked", customerId: "clicks",
                        properties: ["message_id": clicked["message_id"] ?? .null, "channel": "email"]),
                    status("clicks", "app-3", "submitted"),
                ], with: producer)

            // Long enough for any wrong second reminder to show up.
            try await Task.sleep(for: .seconds(6))
            let final = try await env.outboundMessages()
            #expect(final.count == 2)
            #expect(final.allSatisfy { $0[text: "channel"] == "email" && $0[text: "template"] == "draft-application-reminder" })
            let sam = try #require(final.first { $0[text: "customer_id"] == "stays" })
            guard case .object(let variables)? = sam["variables"] else { throw TestFailure("no variables") }
            #expect(variables["first_name"] == .string("Sam"))
            #expect(variables["application_id"] == .string("app-2"))

            // The clicker's instance ended on the goal; the one who stays waits at the next step.
            let clicker = try await env.customerState("clicks")
            #expect(clicker?.instances.isEmpty == true)
            let stays = try #require(try await env.customerState("stays"))
            #expect(stays.instances.map(\.step) == ["give_user_time"])
            let submits = try await env.customerState("submits")
            #expect(submits?.instances.isEmpty == true)
        }
        await producer.shutdown()
    }
}

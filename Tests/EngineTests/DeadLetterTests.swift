import EngineCore
import Foundation
import NudgeKafka
import Testing

@Suite("Malformed events go to the dead-letter topic", .serialized, .timeLimit(.minutes(2)))
struct DeadLetterTests {
    static let welcome = """
        id: dlq-welcome
        version: 1
        name: Welcome
        owner: tests
        status: active
        trigger:
          event: Signed Up
        entry:
          once: true
        start: hello
        steps:
          hello:
            send:
              channel: email
              template: welcome
            next: done
          done:
            end: {}
        """

    static func good(_ customer: String) -> String {
        #"{"type":"track","event":"Signed Up","userId":"\#(customer)","messageId":"m-\#(customer)","#
            + #""timestamp":"2026-11-22T10:00:00Z"}"#
    }

    @Test func badRecordsAreDeadLetteredWithReasonsAndTheirPartitionKeepsFlowing() async throws {
        let env = try await EngineTestEnvironment("dlq", scenarios: ["welcome.yaml": Self.welcome])
        try await env.createTopics()
        let producer = try env.producer()
        try await env.withEngine {
            // All on one key, so one partition: bad records in between must not stop the good ones.
            try await env.sendRaw(
                [
                    ("k", "{not json"), ("k", Self.good("c1")),
                    ("k", #"{"type":"track","userId":"c2","timestamp":"2026-11-22T10:00:00Z"}"#),
                    ("k", #"{"event":"Signed Up","timestamp":"2026-11-22T10:00:00Z"}"#),
                    ("k", Self.good("c3")),
                    // The same wrong type the HTTP API answers 400 for: one decoder on both paths.
                    ("k", #"{"type":"track","event":123,"userId":"c5","timestamp":"2026-11-22T10:00:00Z"}"#),
                    (
                        "k",
                        "{\"event\":\"Signed Up\",\"userId\":\"c4\",\"timestamp\":\"2026-11-22T10:00:00Z\",\"properties\":{\"pad\":\""
                            + String(repeating: "x", count: 40_000) + "\"}}"
                    ),
                ], with: producer)
            let sent = try await env.waitForOutbound(timeout: .seconds(30)) { $0.count >= 2 }
            #expect(Set(sent.compactMap { $0[text: "customer_id"] }) == ["c1", "c3"])

            var letters: [KafkaMessage] = []
            let deadline = ContinuousClock.now + .seconds(15)
            while letters.count < 5, ContinuousClock.now < deadline {
                letters = try await env.readAll(env.config.topics.deadLetter)
                try await Task.sleep(for: .milliseconds(200))
            }
            let codes = letters.compactMap { letter in
                letter.headers.first { $0.name == "nudge-error-code" }?.value.map {
                    String(decoding: $0, as: UTF8.self)
                }
            }
            #expect(codes.sorted() == ["bad_field", "missing_event_name", "missing_identity", "not_json", "too_large"])
            let wrongType = letters.first { String(decoding: $0.value, as: UTF8.self).contains(#""event":123"#) }
            #expect(
                wrongType?.headers.first { $0.name == "nudge-error" }?.value.map { String(decoding: $0, as: UTF8.self) }
                    == "'event' must be a string, got a number")
            #expect(
                letters.allSatisfy { letter in
                    letter.headers.contains { $0.name == "nudge-error" && $0.value?.isEmpty == false }
                })
            #expect(letters.contains { String(decoding: $0.value, as: UTF8.self) == "{not json" })
        }
        await producer.shutdown()
    }
}

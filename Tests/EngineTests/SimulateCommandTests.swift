import Foundation
import Testing

/// `nudge simulate` as a user runs it: the built binary on the sample rules and a JSON-lines
/// events file, its printed timeline and exit status; broken input gives file:line and status 1.
@Suite("nudge simulate", .timeLimit(.minutes(1)))
struct SimulateCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sample = repository.appendingPathComponent("rules/draft-application-reminder.yaml").path

    /// u1 stays in draft (one reminder a day later, the instance ends 14 days after it); u2
    /// submits within the day (goal, no email).
    static let events = """
        {"type":"identify","userId":"u1","messageId":"m0","timestamp":"2026-05-01T08:00:00Z","traits":{"first_name":"Ana"}}
        {"type":"track","userId":"u1","messageId":"m1","event":"Application Status Changed","timestamp":"2026-05-01T09:00:00Z","properties":{"application_id":"A-1","service":"export-license","status":"draft"}}
        {"type":"track","userId":"u2","messageId":"m2","event":"Application Status Changed","timestamp":"2026-05-01T09:30:00Z","properties":{"application_id":"A-2","service":"export-license","status":"draft"}}
        {"type":"track","userId":"u2","messageId":"m3","event":"Application Status Changed","timestamp":"2026-05-01T12:00:00Z","properties":{"application_id":"A-2","service":"export-license","status":"submitted"}}

        """

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    func simulate(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = try EngineProcess.binary
        process.arguments = ["simulate"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: a full pipe would block the child.
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complained = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: printed, as: UTF8.self),
            errors: String(decoding: complained, as: UTF8.self))
    }

    func file(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nudge-simulate-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theSampleReminderPrintsItsTimeline() throws {
        let run = try simulate([Self.sample, "--events", try file("events.jsonl", Self.events)])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.isEmpty)
        let scenario = "draft-application-reminder@1"
        #expect(
            run.output.split(separator: "\n").map(String.init) == [
                "2026-05-01T09:00:00Z  u1  \(scenario)  wait_for_progress  enter",
                "2026-05-01T09:30:00Z  u2  \(scenario)  wait_for_progress  enter",
                "2026-05-01T12:00:00Z  u2  \(scenario)  wait_for_progress  end  reason=goal:left_draft",
                "2026-05-02T09:00:00Z  u1  \(scenario)  send_reminder  send  channel=email"
                    + " template=draft-application-reminder"
                    + " {\"application_id\":\"A-1\",\"first_name\":\"Ana\",\"service\":\"export-license\"}",
                "2026-05-16T09:00:00Z  u1  \(scenario)  done  end  reason=end",
            ])
    }

    @Test func jsonFormatPrintsOneObjectPerEntry() throws {
        let run = try simulate([Self.sample, "--events", try file("events.jsonl", Self.events), "--format", "json"])
        #expect(run.status == 0, "\(run.errors)")
        let objects = try run.output.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.map { $0?["kind"] as? String } == ["enter", "enter", "end", "send", "end"])
        #expect(objects[3]?["message_id"] as? String != nil)
        #expect(objects[2]?["conversion"] as? Bool == true)
    }

    @Test func anInvalidScenarioFileGivesItsLineAndFails() throws {
        let scenario = try file(
            "broken.yaml",
            """
            id: broken
            version: 1
            trigger:
              event: Signed Up
            steps:
              wait_a_bit:
                wait: 1h
                next: send_mail
              send_email:
                send:
                  channel: email
                  template: welcome

            """)
        let run = try simulate([scenario, "--events", try file("events.jsonl", Self.events)])
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        #expect(
            run.errors.contains(
                "\(scenario):8:11: error: step 'wait_a_bit' refers to unknown step 'send_mail'"))
    }

    @Test func aBrokenEventsLineGivesItsLineAndFails() throws {
        let events = try file(
            "events.jsonl",
            Self.events.split(separator: "\n").prefix(1).joined() + "\n{\"type\":\"track\",\"userId\":\n")
        let run = try simulate([Self.sample, "--events", events])
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        #expect(run.errors.hasPrefix("\(events):2: error: "), "\(run.errors)")
    }
}

import Dispatcher
import EngineCore
import Feedback
import Foundation
import SharedStores
import NudgeKafka
import NudgeTestSupport
import PostgresNIO
import Testing

@testable import NudgeApp

/// Hard bounces end to end, both ways an email bounces: the SMTP server refuses the recipient
/// while we send (550 to RCPT TO), or accepts the message and a delivery status report comes
/// back to the return address later (read from its Maildir). Either way the engine gets
/// `Message Bounced` with `bounce_type: hard`: the scenario branches on it (an SMS instead) and
/// the next email to that customer is suppressed; a customer whose email went through gets neither.
@Suite("Email bounces end to end", .serialized, .timeLimit(.minutes(3)))
struct EmailBounceEndToEndTests {
    static let scenario = """
        id: bounce
        version: 1
        name: Draft reminder, an SMS when the email bounces
        owner: tests
        status: active
        trigger:
          event: Draft Saved
        entry:
          key: event.properties.application_id
        vars:
          application_id: event.properties.application_id
        start: remind
        steps:
          remind:
            send:
              channel: email
              template: draft-application-reminder
              variables:
                first_name: "'Ada'"
                service: "'Export licence'"
                application_id: instance.application_id
            next: wait_for_bounce
          wait_for_bounce:
            wait_for:
              event: Message Bounced
              when: event.properties.message_id == instance.last_message_id
              timeout: 30s
            on_event: text_instead
            on_timeout: done
          text_instead:
            send:
              channel: sms
              template: ticket-confirmation-sms
              transactional: true
              variables:
                game: "'Export licence'"
                draw_id: instance.application_id
            next: done
          done:
            end: {}
        """

    static func dsn(for original: String, recipient: String) -> String {
        let headers = original.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")[0]
        return """
            From: MAILER-DAEMON@mx.example.com
            To: bounces@nudge.test
            Subject: Undelivered Mail Returned to Sender
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-boundary"

            --dsn-boundary
            Content-Type: text/plain

            Your message could not be delivered.

            --dsn-boundary
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.com

            Final-Recipient: rfc822; \(recipient)
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 user unknown

            --dsn-boundary
            Content-Type: text/rfc822-headers

            \(headers)

            --dsn-boundary--

            """
    }

    @Test func refusedAndReportedBouncesSuppressTheCustomerAndLetTheScenarioBranch() async throws {
        var setup = try await EngineTestEnvironment("bounce", scenarios: ["bounce.yaml": Self.scenario])
        let database = try await setup.useFreshDatabase()
        setup.config.http.port = try FreePort.find()
        setup.config.tracking.secret = "bounce-tracking-secret-0123456789"
        let smtp = try await MailPeer.smtpServer()
        defer { smtp.stop() }
        let bounces = try await MailPeer.maildirSink()
        defer { bounces.stop() }
        let handoff = "\(setup.name).handoff"
        setup.config.connectorsDirectory = try EngineTestEnvironment.connectorsDirectory([
            "email.yaml": """
            type: smtp
            channel: email
            recipient: profile.email
            smtp:
              host: 127.0.0.1
              port: \(smtp.port)
              from: "Nudge <bounces@nudge.test>"
              message_id_domain: nudge.test
              bounce_maildir: \(bounces.directory.path)
            """,
            "sms.yaml": "type: kafka\nchannel: sms\nkafka:\n  topic: \(handoff)\n",
        ]).path
        let env = setup
        try await env.createTopics()
        let admin = try KafkaAdmin(config: env.config.kafka, logger: env.logger)
        try await admin.createTopics([KafkaTopicSpec(name: handoff, partitions: Int32(env.config.topics.partitions))])
        await admin.shutdown()
        let producer = try env.producer()

        let app = try await NudgeApplication.build(config: env.config, components: .all, logger: env.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }

            let customers = [
                "refused": "reject-1@example.com", "reported": "gone@example.com", "fine": "ok@example.com",
            ]
            var events = customers.map { id, email in
                SegmentEvent(type: "identify", event: "", customerId: id, traits: ["email": .string(email)])
            }
            events += customers.keys.map { id in
                SegmentEvent(event: "Draft Saved", customerId: id, properties: ["application_id": .string("\(id)-1")])
            }
            try await env.send(events, with: producer)

            // The mail server accepted the two good addresses; the one it quotes as gone bounces
            // afterwards, as a report to the return address.
            var accepted: [String] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while accepted.count < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                accepted = try smtp.accepted()
            }
            let original = try #require(accepted.first { $0.contains("To: gone@example.com") })
            try bounces.submitFromMailerDaemon(
                Self.dsn(for: original, recipient: "gone@example.com"), to: "bounces@nudge.test")

            // Forged reports are not published: the fine customer's email quoted without its bounce
            // token, and quoted with the reported customer's token put in.
            let fine = try #require(accepted.first { $0.contains("To: ok@example.com") })
            let tokenHeader = "X-Nudge-Bounce-Token:"
            let fineLines = fine.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
            let otherToken = try #require(
                original.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
                    .first { $0.hasPrefix(tokenHeader) })
            let withoutToken = fineLines.filter { !$0.hasPrefix(tokenHeader) }
            let forgedMaildir = FileManager.default.temporaryDirectory.appendingPathComponent(
                "nudge-forged-\(UUID().uuidString.prefix(8))")
            for folder in ["new", "cur"] {
                try FileManager.default.createDirectory(
                    at: forgedMaildir.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            defer { try? FileManager.default.removeItem(at: forgedMaildir) }
            for (name, lines) in [
                ("1", withoutToken), ("2", [withoutToken[0], otherToken] + withoutToken.dropFirst()),
            ] {
                try Data(Self.dsn(for: lines.joined(separator: "\n"), recipient: "ok@example.com").utf8).write(
                    to: forgedMaildir.appendingPathComponent("new/\(name)"))
            }
            let forged = BounceMailboxService(
                maildir: forgedMaildir.path, connector: "email",
                publisher: FeedbackPublisher(
                    ledger: DispatchLedger(redis: env.redis(), keyPrefix: env.config.redisKeyPrefix),
                    producer: producer, topic: env.config.topics.feedback, logger: env.logger),
                signer: TrackingTokenSigner(secret: "bounce-tracking-secret-0123456789"), logger: env.logger)
            #expect(try await forged.readNew() == [.unauthenticated, .unauthenticated])

            func smsSent() async throws -> Set<String> {
                Set(
                    try await env.readAll(handoff).compactMap { record in
                        String(decoding: record.key ?? [], as: UTF8.self)
                    })
            }
            while try await smsSent().count < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(try await smsSent() == ["refused", "reported"])

            // The next email to the bounced customers is suppressed; the other customer still gets it.
            try await env.send(
                customers.keys.map { id in
                    SegmentEvent(
                        event: "Draft Saved", customerId: id, properties: ["application_id": .string("\(id)-2")])
                }, with: producer)
            let log = { () async throws -> [String: String] in
                try await TestPostgres.withClient(env.config.postgres) { client in
                    var statuses: [String: String] = [:]
                    let rows = try await client.query(
                        """
                        SELECT m.customer_id || '/' || m.channel || '/' || m.step, m.status || coalesce(':' || m.reason, ''),
                          (SELECT string_agg(h.status, ',' ORDER BY h.status) FROM message_status_history h
                           WHERE h.message_id = m.message_id)
                        FROM messages m
                        """, logger: env.logger)
                    for try await (key, status, history) in rows.decode((String, String, String?).self) {
                        statuses[key, default: ""] += (statuses[key] == nil ? "" : " ") + "\(status) [\(history ?? "")]"
                    }
                    return statuses
                }
            }
            var statuses: [String: String] = [:]
            while ContinuousClock.now < deadline {
                statuses = try await log()
                let settled = ["refused/email/remind", "reported/email/remind", "fine/email/remind"].allSatisfy {
                    statuses[$0]?.split(separator: "]").count == 2
                }
                if settled, statuses.values.filter({ $0.contains("suppressed") }).count == 2 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            // The refused email failed at send time and its bounce is in its history; the reported
            // one was sent, then bounced.
            let refused = try #require(statuses["refused/email/remind"])
            #expect(refused.contains("[bounced,failed,queued]"), "\(refused)")
            #expect(refused.contains("suppressed:hard_bounce"), "\(refused)")
            let reported = try #require(statuses["reported/email/remind"])
            #expect(reported.contains("bounced") && reported.contains("[bounced,queued,sent]"), "\(reported)")
            #expect(reported.contains("suppressed:hard_bounce"), "\(reported)")
            #expect(statuses["fine/email/remind"] == "sent [queued,sent] sent [queued,sent]", "\(statuses)")
            #expect(statuses["refused/sms/text_instead"]?.hasPrefix("sent") == true)
            #expect(statuses["reported/sms/text_instead"]?.hasPrefix("sent") == true)
            #expect(statuses["fine/sms/text_instead"] == nil)
            #expect(
                try FileManager.default.contentsOfDirectory(
                    atPath: bounces.directory.appendingPathComponent("new").path
                ).isEmpty)
        }
        await producer.shutdown()
        await TestPostgres.drop(database)
    }
}

import Dispatcher
import EngineCore
import Feedback
import Foundation
import HTTPTypes
import NudgeTestSupport
import Testing

/// The dispatcher against real peers: an SMTP server (aiosmtpd) and a test-owned HTTP gateway,
/// with the dispatch ledger in the local Redis.
@Suite("Dispatching to real providers", .serialized, .timeLimit(.minutes(3)))
struct DispatchDeliveryTests {
    static let draftVariables: [String: Value] = [
        "first_name": "Ada", "service": "Export licence", "application_id": "APP-4711",
    ]

    @Test func theDraftReminderArrivesAsRenderedMultipartMailWithTrackingAndUnsubscribe() async throws {
        let kit = try DispatchTestKit()
        let sink = try await MailSink()
        defer { sink.stop() }
        let settings = SMTPSettings(host: "127.0.0.1", port: sink.port, from: "Nudge <noreply@nudge.test>")
        let config = ConnectorConfig(name: "email", channel: "email", kind: .smtp(settings), recipient: "profile.email")
        let connector = try SMTPConnector(
            name: "email", settings: settings, timeout: .seconds(10), links: kit.links, logger: kit.logger)
        let dispatcher = kit.dispatcher(
            channel: "email", routes: [ConnectorRoute(config: config, connector: connector)])
        let message = try DispatchTestKit.outbound(
            id: "draft-application-reminder:1:i-7:send_reminder:1", channel: "email",
            template: "draft-application-reminder",
            variables: Self.draftVariables, profile: ["email": "ada@example.com"], subscription: "service-updates")

        let entries = try await dispatcher.dispatch(message)
        #expect(entries.map(\.status) == [.queued, .sent])
        #expect(entries.last?.connector == "email")

        let mails = try sink.messages()
        try #require(mails.count == 1)
        let mail = MailMessage(mails[0])
        #expect(mail.header("Subject") == "Your Export licence application is still a draft")
        #expect(mail.header("To") == "ada@example.com")
        #expect(mail.header("Message-ID")?.hasPrefix("<draft-application-reminder.1.i-7.send_reminder.1@") == true)
        #expect(mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        let unsubscribe = try #require(mail.header("List-Unsubscribe"))
        #expect(unsubscribe.hasPrefix("<https://t.example.com/t/u/"))

        let text = try #require(mail.part("text/plain"))
        #expect(text.contains("Hi Ada,"))
        #expect(text.contains("https://portal.example.com/applications/APP-4711"))
        let html = try #require(mail.part("text/html"))
        #expect(html.contains("Your Export licence application APP-4711 is still a draft."))
        // The portal link goes through the click redirect, whose token names it; the unsubscribe
        // link stays as it is; a pixel records the open.
        let clicks = Self.links(in: html, prefix: "https://t.example.com/t/c/")
        try #require(clicks.count == 1)
        let click = try kit.links.signer.verify(Substring(clicks[0]), as: .click)
        #expect(click.url == "https://portal.example.com/applications/APP-4711")
        #expect(click.messageId == message.messageId && click.customerId == "c-1" && click.channel == "email")
        #expect(html.contains("href=\"\(unsubscribe.dropFirst().dropLast())\""))
        #expect(Self.links(in: html, prefix: "https://t.example.com/t/o/").count == 1)
        let token = String(unsubscribe.dropFirst("<https://t.example.com/t/u/".count).dropLast())
        #expect(try kit.links.signer.verify(Substring(token), as: .unsubscribe).topic == "service-updates")
    }

    @Test func gatewayErrorsAreRetriedWithTheSameKeyButClientErrorsAreNot() async throws {
        let kit = try DispatchTestKit()
        let gateway = TestGateway(decide: { request in
            switch request.body["to"] {
            case "+500": request.attempt < 3 ? .init(status: .internalServerError) : nil
            case "+400": .init(status: .badRequest)
            default: nil
            }
        })
        try await gateway.run { gateway in
            let (dispatcher, _) = try Self.smsDispatcher(kit, gateway: gateway)
            let flaky = try DispatchTestKit.outbound(
                channel: "sms", template: "ticket-confirmation-sms", variables: ["game": "Keno", "draw_id": "d-1"],
                profile: ["phone": "+500"])
            let refused = try DispatchTestKit.outbound(
                channel: "sms", template: "ticket-confirmation-sms", variables: ["game": "Keno", "draw_id": "d-1"],
                profile: ["phone": "+400"])

            let sent = try await dispatcher.dispatch(flaky)
            #expect(sent.last?.status == .sent)
            #expect(sent.last?.detail["attempts"] == "3")
            let flakyRequests = gateway.requests.filter { $0.body["to"] == "+500" }
            #expect(flakyRequests.count == 3)
            #expect(Set(flakyRequests.map(\.idempotencyKey)) == [flaky.messageId])
            #expect(
                flakyRequests.allSatisfy { $0.body["text"] == "Your Keno ticket for draw d-1 is confirmed. Good luck!" }
            )

            let failed = try await dispatcher.dispatch(refused)
            #expect(failed.last?.status == .failed)
            #expect(failed.last?.reason?.hasPrefix("HTTP 400") == true)
            #expect(gateway.requests.filter { $0.body["to"] == "+400" }.count == 1)
        }
    }

    @Test func aReplayedMessageNeverReachesTheProviderTwice() async throws {
        let kit = try DispatchTestKit()
        try await TestGateway().run { gateway in
            let message = try DispatchTestKit.outbound(
                channel: "sms", template: "ticket-confirmation-sms", variables: ["game": "Keno", "draw_id": "d-2"],
                profile: ["phone": "+49-1"])
            let first = try await Self.smsDispatcher(kit, gateway: gateway).0.dispatch(message)
            // A restarted dispatcher (new process, same Redis) meets the same record again.
            let replay = try await Self.smsDispatcher(kit, gateway: gateway).0.dispatch(message)
            #expect(gateway.requests.count == 1)
            #expect(first.last?.status == .sent && replay.last?.status == .sent)
            #expect(first.last?.providerMessageId != nil)
            #expect(replay.last?.providerMessageId == first.last?.providerMessageId)
            let entry = try await kit.ledger.entry(messageId: message.messageId)
            #expect(entry?.status == .sent && entry?.attempts == 1 && entry?.customerId == "c-1")
        }
    }

    @Test func theFallbackTakesOverWhenThePrimaryIsUnreachable() async throws {
        let kit = try DispatchTestKit()
        let deadPort = try FreePort.find()
        try await TestGateway().run { gateway in
            var primary = Self.smsConfig(name: "sms-a", url: "http://127.0.0.1:\(deadPort)/v1/messages")
            primary.fallback = "sms-b"
            primary.retry = RetryPolicy(attempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
            var backup = Self.smsConfig(name: "sms-b", url: "\(gateway.baseURL)/v1/backup")
            backup.fallbackOnly = true
            let routes = try [primary, backup].map {
                ConnectorRoute(
                    config: $0,
                    connector: try HTTPConnector(name: $0.name, settings: Self.http($0), timeout: .seconds(2)))
            }
            let dispatcher = kit.dispatcher(channel: "sms", routes: routes)
            let message = try DispatchTestKit.outbound(
                channel: "sms", template: "ticket-confirmation-sms", variables: ["game": "Keno", "draw_id": "d-3"],
                profile: ["phone": "+49-2"])
            let entries = try await dispatcher.dispatch(message)
            #expect(entries.last?.status == .sent)
            #expect(entries.last?.connector == "sms-b")
            #expect(entries.last?.detail["fallback_from"] == "sms-a")
            #expect(gateway.requests.map(\.path) == ["/v1/backup"])
        }
    }

    // MARK: helpers

    /// What a dispatcher that died between the ledger's hand-over mark (SMTP: just before DATA)
    /// and the server's answer leaves behind, recovered under each `on_unknown`.
    @Test(arguments: ConnectorConfig.OnUnknown.allCases)
    func anInterruptedHandOverFollowsTheConnectorsOnUnknown(_ policy: ConnectorConfig.OnUnknown) async throws {
        let kit = try DispatchTestKit()
        let sink = try await MailSink()
        defer { sink.stop() }
        let settings = SMTPSettings(host: "127.0.0.1", port: sink.port, from: "Nudge <noreply@nudge.test>")
        let config = ConnectorConfig(
            name: "email", channel: "email", kind: .smtp(settings), recipient: "profile.email", onUnknown: policy)
        let connector = try SMTPConnector(
            name: "email", settings: settings, timeout: .seconds(10), links: kit.links, logger: kit.logger)
        let dispatcher = kit.dispatcher(
            channel: "email", routes: [ConnectorRoute(config: config, connector: connector)])
        let message = try DispatchTestKit.outbound(
            channel: "email", template: "draft-application-reminder", variables: Self.draftVariables,
            profile: ["email": "ada@example.com"])
        _ = try await kit.ledger.begin(
            messageId: message.messageId, customerId: "c-1", channel: "email", scenario: "tests", step: "send",
            topic: nil)
        try await kit.ledger.markHandingOver(messageId: message.messageId, connector: "email")

        let entries = try await dispatcher.dispatch(message)
        let ledger = try #require(try await kit.ledger.entry(messageId: message.messageId))
        switch policy {
        case .resend:
            #expect(entries.map(\.status) == [.queued, .sent])
            #expect(entries.last?.detail["resumed_after_interruption"] == "true")
            #expect(try sink.messages().count == 1)
            #expect(ledger.status == .sent)
        case .drop:
            #expect(entries.map(\.status) == [.queued, .unknown])
            #expect(try sink.messages().isEmpty)
            #expect(ledger.status == .dropped)
        case .hold:
            #expect(entries.map(\.status) == [.queued, .held])
            #expect(entries.last?.reason?.hasSuffix("held, not sent again (on_unknown: hold)") == true)
            #expect(try sink.messages().isEmpty)
            #expect(ledger.status == .held)
        }
        // A replay later calls nobody and logs the same outcome.
        let replay = try await dispatcher.dispatch(message)
        #expect(replay.map(\.status) == entries.map(\.status))
        #expect(try sink.messages().count == (policy == .resend ? 1 : 0))
    }

    /// A message whose dispatcher died before the hand-over (connecting, or the recipients
    /// refused) is sent on recovery whatever `on_unknown` says: the server never had it.
    @Test func aDispatchCutShortBeforeTheHandOverIsSimplySentAgain() async throws {
        let kit = try DispatchTestKit()
        let sink = try await MailSink()
        defer { sink.stop() }
        let settings = SMTPSettings(host: "127.0.0.1", port: sink.port, from: "Nudge <noreply@nudge.test>")
        let config = ConnectorConfig(
            name: "email", channel: "email", kind: .smtp(settings), recipient: "profile.email", onUnknown: .hold)
        let connector = try SMTPConnector(
            name: "email", settings: settings, timeout: .seconds(10), links: kit.links, logger: kit.logger)
        let dispatcher = kit.dispatcher(
            channel: "email", routes: [ConnectorRoute(config: config, connector: connector)])
        let message = try DispatchTestKit.outbound(
            channel: "email", template: "draft-application-reminder", variables: Self.draftVariables,
            profile: ["email": "ada@example.com"])
        _ = try await kit.ledger.begin(
            messageId: message.messageId, customerId: "c-1", channel: "email", scenario: "tests", step: "send",
            topic: nil)

        #expect(try await dispatcher.dispatch(message).map(\.status) == [.queued, .sent])
        #expect(try sink.messages().count == 1)
    }

    static func smsConfig(name: String = "sms", url: String) -> ConnectorConfig {
        ConnectorConfig(
            name: name, channel: "sms",
            kind: .http(
                HTTPSettings(
                    url: url, headers: [("Authorization", "Bearer secret-token")],
                    body: #"{"to": "{{recipient}}", "text": "{{content.text}}", "reference": "{{message.id}}"}"#,
                    responseMessageId: try? JSONPath("$.id"))),
            recipient: "profile.phone",
            retry: RetryPolicy(attempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)))
    }

    static func http(_ config: ConnectorConfig) -> HTTPSettings {
        guard case .http(let settings) = config.kind else { preconditionFailure("not an HTTP connector") }
        return settings
    }

    static func smsDispatcher(_ kit: DispatchTestKit, gateway: TestGateway) throws -> (
        MessageDispatcher, ConnectorConfig
    ) {
        let config = smsConfig(url: "\(gateway.baseURL)/v1/messages")
        let connector = try HTTPConnector(name: config.name, settings: http(config), timeout: .seconds(5))
        return (kit.dispatcher(channel: "sms", routes: [ConnectorRoute(config: config, connector: connector)]), config)
    }

    /// `href="..."` / `src="..."` values starting with `prefix`, as tokens (the part after it).
    static func links(in html: String, prefix: String) -> [String] {
        html.components(separatedBy: prefix).dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
    }
}

import Foundation
import Logging
import Testing

@testable import NudgeSMTP

/// The client against a real SMTP server (aiosmtpd) on loopback.
@Suite(.serialized) struct SMTPClientTests {
    static let logger = Logger(label: "smtp-test")

    static func message(to recipient: String = "ana@example.com", text: String = "Hello Ana") -> MIMEMessage {
        MIMEMessage(
            from: MIMEMailbox("hello@nudge.example", displayName: "Nudge"), to: [MIMEMailbox(recipient)],
            subject: "Your draft is waiting", date: Date(timeIntervalSince1970: 1_796_284_800),
            messageID: "m1@nudge.example", text: text, html: "<p>\(text)</p>")
    }

    static func send(
        _ message: MIMEMessage, _ config: SMTPConfig
    ) async throws(SMTPError) -> SMTPReply {
        let client = try SMTPClient(config: config, logger: logger)
        let bytes: [UInt8]
        let envelope: SMTPEnvelope
        do {
            bytes = try message.render()
            envelope = try message.envelope()
        } catch {
            throw SMTPError(.configuration, stage: "test", "\(error)")
        }
        return try await client.send(bytes, envelope: envelope)
    }

    @Test func startTLSThenAuthThenDelivery() async throws {
        let server = try await SMTPTestServer(.tls)
        defer { server.stop() }
        let config = SMTPConfig(
            host: "127.0.0.1", port: server.port, tls: .startTLS(required: true),
            credentials: SMTPCredentials(username: "nudge", password: "secret"),
            trustedCertificatesFile: server.certificateFile)
        let reply = try await Self.send(Self.message(), config)
        #expect(reply.code == 250)
        let received = try #require(try server.received().first)
        #expect(received.tls)
        #expect(received.authenticated)
        #expect(received.mail_from == "hello@nudge.example")
        #expect(received.rcpt_tos == ["ana@example.com"])
        #expect(received.content.contains("Message-ID: <m1@nudge.example>"))
    }

    /// Lines starting with a dot survive the trip (dot-stuffing), bare LF becomes CRLF.
    @Test func rawLinesWithDotsArriveIntact() async throws {
        let server = try await SMTPTestServer(.plain)
        defer { server.stop() }
        let client = try SMTPClient(config: SMTPConfig(host: "127.0.0.1", port: server.port, tls: .none), logger: Self.logger)
        let raw = "Subject: dots\r\n\r\nLine one\n.\n..two dots\r\n.\r\nend"
        _ = try await client.send(Array(raw.utf8), envelope: SMTPEnvelope(sender: "a@example.com", recipients: ["b@example.com"]))
        let received = try #require(try server.received().first)
        #expect(received.content.hasSuffix("Line one\r\n.\r\n..two dots\r\n.\r\nend\r\n"))
    }

    @Test func aWrongPasswordIsPermanent() async throws {
        let server = try await SMTPTestServer(.tls)
        defer { server.stop() }
        let config = SMTPConfig(
            host: "127.0.0.1", port: server.port, credentials: SMTPCredentials(username: "nudge", password: "wrong"),
            trustedCertificatesFile: server.certificateFile)
        let error = await #expect(throws: SMTPError.self) { try await Self.send(Self.message(), config) }
        #expect(error?.kind == .rejected(code: 535))
        #expect(error?.isTransient == false)
        #expect(try server.received().isEmpty)
    }

    @Test func anUntrustedCertificateFailsTheHandshake() async throws {
        let server = try await SMTPTestServer(.tls)
        defer { server.stop() }
        // The system trust store does not know the test's self-signed certificate.
        let config = SMTPConfig(host: "127.0.0.1", port: server.port, tls: .startTLS(required: true))
        let error = await #expect(throws: SMTPError.self) { try await Self.send(Self.message(), config) }
        #expect(error?.kind == .tls)
        #expect(try server.received().isEmpty)
    }

    @Test func requiredTLSIsNotSkipped() async throws {
        let server = try await SMTPTestServer(.plain)
        defer { server.stop() }
        let error = await #expect(throws: SMTPError.self) {
            try await Self.send(Self.message(), SMTPConfig(host: "127.0.0.1", port: server.port, tls: .startTLS(required: true)))
        }
        #expect(error?.kind == .unsupported)
        #expect(try server.received().isEmpty)
    }

    @Test func credentialsNeverGoOutInPlainTextUnlessAllowed() async throws {
        let server = try await SMTPTestServer(.plain)
        defer { server.stop() }
        var config = SMTPConfig(
            host: "127.0.0.1", port: server.port, tls: .startTLS(required: false),
            credentials: SMTPCredentials(username: "nudge", password: "secret"))
        let error = await #expect(throws: SMTPError.self) { try await Self.send(Self.message(), config) }
        #expect(error?.kind == .configuration)
        config.allowPlaintextAuth = true
        #expect(try await Self.send(Self.message(), config).code == 250)
        #expect(try server.received().first?.authenticated == true)
    }

    @Test func recipientRefusalsKeepTheirClass() async throws {
        let server = try await SMTPTestServer(.plain)
        defer { server.stop() }
        let config = SMTPConfig(host: "127.0.0.1", port: server.port, tls: .none)
        let later = await #expect(throws: SMTPError.self) {
            try await Self.send(Self.message(to: "reject-temp@example.com"), config)
        }
        #expect(later?.kind == .rejected(code: 451))
        #expect(later?.isTransient == true)
        let never = await #expect(throws: SMTPError.self) { try await Self.send(Self.message(to: "reject@example.com"), config) }
        #expect(never?.kind == .rejected(code: 550))
        #expect(never?.isTransient == false)
        #expect(try server.received().isEmpty)
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = try await SMTPTestServer(.silent)
        defer { server.stop() }
        let config = SMTPConfig(host: "127.0.0.1", port: server.port, tls: .none, commandTimeout: .milliseconds(300))
        let error = await #expect(throws: SMTPError.self) { try await Self.send(Self.message(), config) }
        #expect(error?.kind == .timeout)
        #expect(error?.isTransient == true)
    }

    @Test func nobodyListeningIsATransientConnectionError() async throws {
        let port = try SMTPTestServer.unusedPort()
        let error = await #expect(throws: SMTPError.self) {
            try await Self.send(Self.message(), SMTPConfig(host: "127.0.0.1", port: port, tls: .none))
        }
        #expect(error?.kind == .connection)
        #expect(error?.isTransient == true)
    }
}

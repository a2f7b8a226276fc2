import EngineCore
import Feedback
import Foundation
import Logging
import NudgeSMTP

/// Email over SMTP: the template's `subject`, `text` and `html` parts become a multipart
/// message with a Message-ID derived from our message id (a resend is recognisable as the same
/// message), a `List-Unsubscribe` header with one-click support, tracked links and an open pixel.
/// 4xx replies and network trouble are transient (retried), 5xx permanent.
public struct SMTPConnector: MessageConnector {
    public let name: String
    private let settings: SMTPSettings
    private let client: SMTPClient
    private let from: MIMEMailbox
    private let replyTo: MIMEMailbox?
    private let links: TrackingLinks?

    public init(name: String, settings: SMTPSettings, timeout: Duration, links: TrackingLinks?, logger: Logger) throws {
        self.name = name
        self.settings = settings
        self.links = links
        let tls: SMTPConfig.TLSMode =
            switch settings.security {
            case .none: .none
            case .starttls: .startTLS(required: settings.requireTLS)
            case .implicit: .implicitTLS
            }
        let credentials = settings.username.map { SMTPCredentials(username: $0, password: settings.password ?? "") }
        self.client = try SMTPClient(
            config: SMTPConfig(
                host: settings.host, port: settings.port, tls: tls, credentials: credentials,
                // Only a relay on loopback may see credentials unencrypted.
                allowPlaintextAuth: ["127.0.0.1", "::1", "localhost"].contains(settings.host),
                heloName: settings.messageIdDomain, connectTimeout: timeout, commandTimeout: timeout,
                trustedCertificatesFile: settings.caFile),
            logger: logger)
        self.from = Self.mailbox(settings.from)
        self.replyTo = settings.replyTo.map(Self.mailbox)
    }

    public func deliver(_ message: RenderedMessage, recipient: String?) async throws(DeliveryFailure) -> DeliveryReceipt
    {
        try await deliver(message, recipient: recipient, handingOver: {})
    }

    /// The hand-over is just before DATA: a crash while connecting or while the server refuses
    /// recipients leaves nothing at the server, so only a crash after it is of unknown outcome.
    public func deliver(
        _ message: RenderedMessage, recipient: String?, handingOver: @escaping HandingOver
    ) async throws(DeliveryFailure) -> DeliveryReceipt {
        guard let recipient else { throw .permanent("no recipient address") }
        let outbound = message.message
        guard let subject = message.parts["subject"], let text = message.parts["text"] else {
            throw .permanent("template \(outbound.template) needs `subject` and `text` parts for email")
        }
        var html = message.parts["html"]
        var headers = [
            MIMEHeader("X-Nudge-Message-Id", outbound.messageId), MIMEHeader("X-Nudge-Scenario", outbound.scenario),
        ]
        if let links {
            let unsubscribe = links.unsubscribe(
                messageId: outbound.messageId, customerId: outbound.customerId, channel: outbound.channel,
                topic: outbound.subscription)
            headers.append(MIMEHeader("List-Unsubscribe", "<\(unsubscribe)>"))
            headers.append(MIMEHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
            headers.append(
                MIMEHeader(
                    Self.bounceTokenHeader,
                    links.signer.sign(
                        TrackingToken(
                            kind: .bounce, messageId: outbound.messageId, customerId: outbound.customerId,
                            channel: outbound.channel))))
            if let body = html {
                html = EmailTracking(links: links, opens: settings.trackOpens, clicks: settings.trackClicks).apply(
                    toHTML: body, messageId: outbound.messageId, customerId: outbound.customerId,
                    channel: outbound.channel, keep: [unsubscribe])
            }
        }
        let mime = MIMEMessage(
            from: from, to: [MIMEMailbox(recipient)], subject: subject,
            date: Date(timeIntervalSince1970: Double(outbound.createdAt.milliseconds) / 1000),
            messageID: "\(Self.localPart(outbound.messageId))@\(settings.messageIdDomain)", text: text, html: html,
            headers: headers, replyTo: replyTo)
        let bytes: [UInt8]
        let envelope: SMTPEnvelope
        do {
            bytes = try mime.render()
            envelope = try mime.envelope()
        } catch {
            throw .permanent("cannot build the email: \(error)")
        }
        do {
            let receipt = try await client.send(bytes, envelope: envelope, beforeData: { try await handingOver() })
            // The Message-ID is the provider id: the message log shows it beside our message id.
            return DeliveryReceipt(providerMessageId: mime.messageID, detail: receipt.text)
        } catch {
            if error.isTransient { throw .transient("\(error)") }
            throw .permanent("\(error)", refusal: Self.refusal(error))
        }
    }

    /// Quoted back by a bounce report; the bounce mailbox accepts only reports whose token verifies.
    public static let bounceTokenHeader = "X-Nudge-Bounce-Token"

    /// A 5xx to RCPT TO, or an enhanced status 5.1.x (bad address) at any stage, refuses the
    /// recipient: a hard bounce. Other 5xx replies refuse the message; anything else (our
    /// configuration, a server we cannot talk to) says nothing about the customer.
    static func refusal(_ error: SMTPError) -> DeliveryFailure.Refusal? {
        guard case .rejected(let code) = error.kind, (500..<600).contains(code) else { return nil }
        guard !["EHLO", "HELO", "AUTH", "STARTTLS", "greeting"].contains(error.stage) else { return nil }
        let enhanced = error.message.split(separator: " ").dropFirst().first ?? ""
        if error.stage == "RCPT TO" || enhanced.hasPrefix("5.1.") { return .hardBounce }
        return .failed
    }

    /// `Name <address>` or a bare address.
    static func mailbox(_ text: String) -> MIMEMailbox {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else {
            return MIMEMailbox(text.trimmingCharacters(in: .whitespaces))
        }
        let name = text[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(
            in: CharacterSet(charactersIn: "\""))
        return MIMEMessageAddress.mailbox(String(text[text.index(after: open)..<close]), name: name)
    }

    /// Message ids hold `:` and `/`; a Message-ID's left part must be a dot-atom.
    static func localPart(_ messageId: String) -> String {
        String(messageId.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "." })
    }
}

private enum MIMEMessageAddress {
    static func mailbox(_ address: String, name: String) -> MIMEMailbox {
        MIMEMailbox(address, displayName: name.isEmpty ? nil : name)
    }
}

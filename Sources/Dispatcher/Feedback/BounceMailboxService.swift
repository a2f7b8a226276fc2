import EngineCore
import SharedStores
import Feedback
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Reads the Maildir that an SMTP connector's return address is delivered to (`smtp.bounce_maildir`)
/// and turns each delivery status report about one of our messages into `Message Bounced`
/// feedback, as a provider callback would: a 5.x.x failure is a hard bounce and suppresses the
/// channel for the customer. Anyone can mail the return address, so a report counts only when
/// the original headers it quotes carry the message's signed bounce token
/// (`X-Nudge-Bounce-Token`, HMAC under `tracking.secret`) and the token names the customer and
/// channel the ledger has for the message: a forged report cannot suppress a customer by
/// guessing a message id. Every file read is moved from `new/` to `cur/`; a crash before the
/// move reads it again, and the repeat has the same feedback id.
public struct BounceMailboxService: Service {
    let maildir: URL
    /// The connector whose messages bounce here: named in the feedback and the metrics.
    let connector: String
    let publisher: FeedbackPublisher
    let signer: TrackingTokenSigner
    let interval: Duration
    let logger: Logger
    private let outcomes = "nudge_dispatch_bounce_reports_total"

    public init(
        maildir: String, connector: String, publisher: FeedbackPublisher, signer: TrackingTokenSigner,
        interval: Duration = .seconds(1), logger: Logger
    ) {
        self.maildir = URL(fileURLWithPath: maildir)
        self.connector = connector
        self.publisher = publisher
        self.signer = signer
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await readNew()
            } catch {
                // Redis or Kafka is down: the files stay in new/ and are read on the next round.
                logger.warning("bounce mailbox read failed", metadata: [DispatchLogKeys.error: "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// What became of one mail file.
    public enum Outcome: String, Sendable {
        /// A bounce of one of our messages: published.
        case bounced
        /// A report that says no recipient failed (delayed, relayed).
        case notFailed = "not_failed"
        /// A report about a message the ledger does not know (expired, or not ours).
        case unknown
        /// A report without a valid bounce token for the message it names: not published.
        case unauthenticated
        /// Not a delivery status report (an auto-reply, spam).
        case notReport = "not_report"
    }

    /// Handles every file in `new/` once; returns how each went, for tests and logs.
    @discardableResult
    public func readNew() async throws -> [Outcome] {
        let new = maildir.appendingPathComponent("new")
        let names = try FileManager.default.contentsOfDirectory(atPath: new.path).filter { !$0.hasPrefix(".") }.sorted()
        var outcomes: [Outcome] = []
        for name in names {
            let file = new.appendingPathComponent(name)
            let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            let outcome = try await handle(text)
            Counter(label: self.outcomes, dimensions: [("connector", connector), ("outcome", outcome.rawValue)])
                .increment()
            if outcome != .bounced {
                logger.info(
                    "bounce mailbox: mail skipped",
                    metadata: [DispatchLogKeys.file: "\(name)", DispatchLogKeys.status: "\(outcome.rawValue)"])
            }
            // Maildir: a message that has been seen lives in cur/ with its flags after ":2,".
            try FileManager.default.moveItem(at: file, to: maildir.appendingPathComponent("cur/\(name):2,S"))
            outcomes.append(outcome)
        }
        return outcomes
    }

    func handle(_ text: String) async throws -> Outcome {
        guard let report = DeliveryStatusReport.parse(text) else { return .notReport }
        guard let (recipient, bounceType) = report.failure else { return .notFailed }
        guard let text = report.bounceToken,
            let token = try? signer.verify(Substring(text), as: .bounce),
            report.nudgeMessageId == nil || report.nudgeMessageId == token.messageId
        else { return .unauthenticated }
        let messageId = token.messageId
        guard let entry = try await publisher.ledger.entry(messageId: messageId) else { return .unknown }
        guard entry.customerId == token.customerId, entry.channel == token.channel else { return .unauthenticated }
        let reason = [recipient.status, recipient.diagnostic].compactMap { $0 }.joined(separator: " ")
        try await publisher.publish([
            FeedbackEvent(
                status: .bounced, messageId: messageId, customerId: entry.customerId, channel: entry.channel,
                connector: connector, at: .wallClock(), reason: reason, bounceType: bounceType)
        ])
        logger.info(
            "bounce report published",
            metadata: [
                DispatchLogKeys.messageId: "\(messageId)", DispatchLogKeys.customerId: "\(entry.customerId)",
                DispatchLogKeys.status: "\(recipient.status)",
            ])
        return .bounced
    }
}

import Feedback
import Testing

@Suite("Delivery status reports (RFC 3464)")
struct DeliveryStatusReportTests {
    /// A report as Postfix writes it, with CRLF line ends and the original headers quoted.
    static func report(
        action: String = "failed", status: String = "5.1.1", originalType: String = "text/rfc822-headers"
    )
        -> String
    {
        """
        From: MAILER-DAEMON@mx.example.com
        To: bounces@nudge.test
        Subject: Undelivered Mail Returned to Sender
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status;
        \tboundary="B0UND.4711"

        This is a MIME-encapsulated message.

        --B0UND.4711
        Content-Type: text/plain; charset=us-ascii

        I'm sorry to have to inform you that your message could not be delivered.

        --B0UND.4711
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.example.com
        Arrival-Date: Mon,  7 Dec 2026 01:30:00 +0000 (UTC)

        Final-Recipient: rfc822; gone@example.com
        Original-Recipient: rfc822;gone@example.com
        Action: \(action)
        Status: \(status)
        Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: Recipient address
            rejected: User unknown

        --B0UND.4711
        Content-Type: \(originalType)

        From: Nudge <noreply@nudge.test>
        To: gone@example.com
        Message-ID:
         <welcome.1.i-9.send.1@nudge.test>
        X-Nudge-Message-Id: welcome:1:i-9:send:1
        Subject: Welcome

        --B0UND.4711--
        """.replacingOccurrences(of: "\n", with: "\r\n")
    }

    @Test func aFailedRecipientWithA5xxStatusIsAHardBounceOfTheQuotedMessage() throws {
        let report = try #require(DeliveryStatusReport.parse(Self.report()))
        #expect(report.nudgeMessageId == "welcome:1:i-9:send:1")
        #expect(report.originalMessageID == "welcome.1.i-9.send.1@nudge.test")
        let failure = try #require(report.failure)
        #expect(failure.bounceType == "hard")
        #expect(failure.recipient.address == "gone@example.com")
        #expect(failure.recipient.status == "5.1.1")
        #expect(
            failure.recipient.diagnostic
                == "smtp; 550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown")
    }

    @Test func a4xxFailureIsSoftAndADelayIsNoFailure() throws {
        #expect(try #require(DeliveryStatusReport.parse(Self.report(status: "4.4.7"))).failure?.bounceType == "soft")
        let delayed = try #require(DeliveryStatusReport.parse(Self.report(action: "delayed", status: "4.4.1")))
        #expect(delayed.failure == nil)
        #expect(delayed.recipients.map(\.action) == ["delayed"])
    }

    @Test func theWholeOriginalMessageServesAsWellAsItsHeaders() throws {
        let report = try #require(DeliveryStatusReport.parse(Self.report(originalType: "message/rfc822")))
        #expect(report.nudgeMessageId == "welcome:1:i-9:send:1")
    }

    @Test func mailThatIsNoDeliveryStatusReportIsNotOne() {
        #expect(DeliveryStatusReport.parse("From: a@b.c\r\nSubject: Out of office\r\n\r\nBack on Monday.\r\n") == nil)
        let otherReport = Self.report().replacingOccurrences(
            of: "message/delivery-status", with: "message/disposition-notification")
        #expect(DeliveryStatusReport.parse(otherReport) == nil)
    }
}

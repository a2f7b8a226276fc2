import NIOCore
import NIOEmbedded
import Testing

@testable import NudgeSMTP

@Suite struct SMTPWireFormatTests {
    @Test func dataIsDotStuffedWithCRLFAndTerminated() {
        let encoded = SMTPDataEncoding.encode(Array(".first\nmiddle\r\n..two\rlast".utf8))
        #expect(String(decoding: encoded, as: UTF8.self) == "..first\r\nmiddle\r\n...two\r\nlast\r\n.\r\n")
    }

    @Test func dataEndingWithALineBreakGetsNoEmptyLine() {
        let encoded = SMTPDataEncoding.encode(Array("body\r\n".utf8))
        #expect(String(decoding: encoded, as: UTF8.self) == "body\r\n.\r\n")
    }

    @Test func multilineRepliesAreGathered() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        try channel.writeInbound(ByteBuffer(string: "250-mail.example greets you\r\n250-SIZE 1000\r\n250 STARTTLS"))
        #expect(try channel.readInbound(as: SMTPReply.self) == nil, "the last line is not complete yet")
        try channel.writeInbound(ByteBuffer(string: "\r\n220 ready\n"))
        #expect(
            try channel.readInbound(as: SMTPReply.self)
                == SMTPReply(code: 250, lines: ["mail.example greets you", "SIZE 1000", "STARTTLS"]))
        #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 220, lines: ["ready"]))
        _ = try channel.finish()
    }

    @Test func garbageIsAnError() {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        #expect(throws: (any Error).self) { try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n")) }
    }

    @Test func transienceFollowsTheReplyClass() {
        #expect(SMTPError(.rejected(code: 451), stage: "RCPT TO", "").isTransient)
        #expect(!SMTPError(.rejected(code: 550), stage: "RCPT TO", "").isTransient)
        #expect(SMTPError(.timeout, stage: "DATA", "").isTransient)
        #expect(SMTPError(.connection, stage: "connect", "").isTransient)
        #expect(!SMTPError(.configuration, stage: "AUTH", "").isTransient)
    }
}

import Foundation
import Logging
import NIOCore

/// The dialogue over one connection, one command and reply at a time (no PIPELINING: one
/// message per connection gains little from it and error attribution stays exact).
struct SMTPSession {
    let config: SMTPConfig
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let startTLS: (any Channel) async throws -> Void
    let logger: Logger

    private var secure = false
    private var extensions: [String: [String]] = [:]

    init(
        config: SMTPConfig, channel: any Channel, replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator,
        writer: NIOAsyncChannelOutboundWriter<ByteBuffer>, startTLS: @escaping (any Channel) async throws -> Void,
        logger: Logger
    ) {
        self.config = config
        self.channel = channel
        self.replies = replies
        self.writer = writer
        self.startTLS = startTLS
        self.logger = logger
        self.secure = config.tls == .implicitTLS
    }

    mutating func deliver(
        _ message: [UInt8], envelope: SMTPEnvelope, beforeData: @Sendable () async throws -> Void
    ) async throws -> SMTPReply {
        try expect(try await readReply(stage: "greeting"), [220], stage: "greeting")
        try await hello()
        if case .startTLS(let required) = config.tls, !secure {
            if extensions["STARTTLS"] != nil {
                try await command("STARTTLS", stage: "STARTTLS", expecting: [220])
                do {
                    try await startTLS(channel)
                } catch {
                    throw SMTPClient.classify(error, stage: "STARTTLS")
                }
                secure = true
                try await hello()
            } else if required {
                throw SMTPError(
                    .unsupported, stage: "STARTTLS", "the server does not offer STARTTLS and the connector requires TLS"
                )
            }
        }
        if let credentials = config.credentials { try await authenticate(credentials) }
        if let limit = extensions["SIZE"]?.first.flatMap(Int.init), limit > 0, message.count > limit {
            throw SMTPError(
                .unsupported, stage: "SIZE", "the message has \(message.count) bytes; the server takes \(limit)")
        }

        let international = ([envelope.sender] + envelope.recipients).contains { !$0.utf8.allSatisfy { $0 < 128 } }
        if international && extensions["SMTPUTF8"] == nil {
            throw SMTPError(
                .unsupported, stage: "MAIL FROM", "a non-ASCII address needs SMTPUTF8, which the server lacks")
        }
        try await command(
            "MAIL FROM:<\(envelope.sender)>" + (international ? " SMTPUTF8" : ""), stage: "MAIL FROM", expecting: [250])
        var accepted = 0
        var lastRefusal: SMTPError?
        for recipient in envelope.recipients {
            do {
                try await command("RCPT TO:<\(recipient)>", stage: "RCPT TO", expecting: [250, 251])
                accepted += 1
            } catch let error as SMTPError where error.kind != .timeout && error.kind != .connection {
                lastRefusal = error
            }
        }
        if accepted == 0, let lastRefusal { throw lastRefusal }

        do {
            try await beforeData()
        } catch {
            throw SMTPError(.aborted, stage: "before DATA", "\(error)")
        }

        try await command("DATA", stage: "DATA", expecting: [354])
        try await write(SMTPDataEncoding.encode(message))
        let receipt = try await readReply(stage: "end of data")
        try expect(receipt, [250], stage: "end of data")
        logger.debug("smtp message accepted", metadata: ["smtp.code": "\(receipt.code)"])
        // The message is accepted; a failing QUIT changes nothing.
        try? await write(Array("QUIT\r\n".utf8))
        _ = try? await readReply(stage: "QUIT")
        return receipt
    }

    /// EHLO, falling back to HELO for servers from another age; records the extensions offered.
    private mutating func hello() async throws {
        try await write(Array("EHLO \(config.heloName)\r\n".utf8))
        let reply = try await readReply(stage: "EHLO")
        if reply.code == 250 {
            extensions = [:]
            for line in reply.lines.dropFirst() {
                let words = line.split(separator: " ").map(String.init)
                guard let keyword = words.first?.uppercased() else { continue }
                extensions[keyword] = Array(words.dropFirst())
            }
        } else if (500..<600).contains(reply.code) {
            try await command("HELO \(config.heloName)", stage: "HELO", expecting: [250])
            extensions = [:]
        } else {
            try expect(reply, [250], stage: "EHLO")
        }
    }

    private mutating func authenticate(_ credentials: SMTPCredentials) async throws {
        guard secure || config.allowPlaintextAuth else {
            throw SMTPError(
                .configuration, stage: "AUTH", "refusing to send credentials over an unencrypted connection")
        }
        let mechanisms = Set((extensions["AUTH"] ?? []).map { $0.uppercased() })
        if mechanisms.contains("PLAIN") {
            let token = Self.base64("\0\(credentials.username)\0\(credentials.password)")
            try await command("AUTH PLAIN \(token)", stage: "AUTH", expecting: [235])
        } else if mechanisms.contains("LOGIN") {
            try await command("AUTH LOGIN", stage: "AUTH", expecting: [334])
            try await command(Self.base64(credentials.username), stage: "AUTH", expecting: [334])
            try await command(Self.base64(credentials.password), stage: "AUTH", expecting: [235])
        } else {
            let offered = mechanisms.isEmpty ? "none" : mechanisms.sorted().joined(separator: ", ")
            throw SMTPError(.unsupported, stage: "AUTH", "no supported AUTH mechanism (offered: \(offered))")
        }
    }

    @discardableResult
    private mutating func command(_ line: String, stage: String, expecting codes: Set<Int>) async throws -> SMTPReply {
        try await write(Array("\(line)\r\n".utf8))
        let reply = try await readReply(stage: stage)
        try expect(reply, codes, stage: stage)
        return reply
    }

    private func expect(_ reply: SMTPReply, _ codes: Set<Int>, stage: String) throws {
        guard codes.contains(reply.code) else {
            throw SMTPError(.rejected(code: reply.code), stage: stage, "\(reply.code) \(reply.text)")
        }
    }

    private func write(_ bytes: [UInt8]) async throws {
        try await writer.write(ByteBuffer(bytes: bytes))
    }

    /// The next reply within the command timeout; on timeout the connection is closed, which
    /// ends the wait.
    private mutating func readReply(stage: String) async throws -> SMTPReply {
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: SMTPClient.timeAmount(config.commandTimeout)) {
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        let started = ContinuousClock.now
        let timeout = config.commandTimeout
        let timedOut = { ContinuousClock.now - started >= timeout }
        do {
            guard let reply = try await replies.next() else {
                if timedOut() { throw SMTPError(.timeout, stage: stage, "no reply within \(config.commandTimeout)") }
                throw SMTPError(.connection, stage: stage, "the server closed the connection")
            }
            logger.trace("smtp reply", metadata: ["smtp.stage": "\(stage)", "smtp.code": "\(reply.code)"])
            return reply
        } catch let error as SMTPError {
            throw error
        } catch {
            if timedOut() { throw SMTPError(.timeout, stage: stage, "no reply within \(config.commandTimeout)") }
            throw SMTPClient.classify(error, stage: stage)
        }
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}

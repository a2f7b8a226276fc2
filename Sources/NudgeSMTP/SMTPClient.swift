import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends one message per connection: connect, EHLO, STARTTLS when configured, AUTH when
/// configured, MAIL/RCPT/DATA, QUIT. A connection per message keeps failures contained (one
/// bad message never poisons the next) at the cost of a handshake each; relays that care about
/// connection rates are fed through the provider rate limiter in front of us.
public struct SMTPClient: Sendable {
    let config: SMTPConfig
    private let tlsContext: NIOSSLContext?
    private let group: any EventLoopGroup
    private let logger: Logger

    public init(
        config: SMTPConfig, logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(SMTPError) {
        self.config = config
        self.group = group
        self.logger = logger
        if config.tls == .none {
            tlsContext = nil
        } else {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let file = config.trustedCertificatesFile { tls.trustRoots = .file(file) }
            do {
                tlsContext = try NIOSSLContext(configuration: tls)
            } catch {
                throw SMTPError(.configuration, stage: "TLS setup", "cannot set up TLS: \(error)")
            }
        }
    }

    /// Sends `message` (a complete RFC 5322 message) and returns the server's answer to DATA.
    /// `beforeData` runs once the recipients are accepted, just before DATA: from then on the
    /// server may have the message even if we never see its answer.
    public func send(
        _ message: [UInt8], envelope: SMTPEnvelope, beforeData: @escaping @Sendable () async throws -> Void = {}
    ) async throws(SMTPError) -> SMTPReply {
        guard !envelope.recipients.isEmpty else {
            throw SMTPError(.configuration, stage: "envelope", "no recipients")
        }
        var stage = "connect"
        do {
            let (channel, handshake) = try await connect()
            if let handshake {
                stage = "TLS handshake"
                try await awaitHandshake(handshake, on: channel.channel)
            }
            stage = "session"
            return try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(
                    config: config, channel: channel.channel, replies: inbound.makeAsyncIterator(), writer: outbound,
                    startTLS: { channel in try await addTLS(to: channel) }, logger: logger)
                return try await session.deliver(message, envelope: envelope, beforeData: beforeData)
            }
        } catch let error as SMTPError {
            throw error
        } catch {
            throw Self.classify(error, stage: stage)
        }
    }

    /// The channel, and for implicit TLS the handshake's outcome.
    private func connect() async throws -> (NIOAsyncChannel<SMTPReply, ByteBuffer>, EventLoopFuture<Void>?) {
        let implicitTLS = config.tls == .implicitTLS ? tlsContext : nil
        let serverName = Self.serverName(config.host)
        return try await ClientBootstrap(group: group)
            .connectTimeout(Self.timeAmount(config.connectTimeout))
            .connect(host: config.host, port: config.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    var handshake: EventLoopFuture<Void>?
                    if let implicitTLS {
                        let promise = channel.eventLoop.makePromise(of: Void.self)
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: implicitTLS, serverHostname: serverName))
                        try channel.pipeline.syncOperations.addHandler(TLSHandshakeWatcher(promise: promise))
                        handshake = promise.futureResult
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    return (
                        try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel), handshake
                    )
                }
            }
    }

    /// STARTTLS: TLS goes in front of everything else in the pipeline, so replies are decrypted
    /// before they are decoded and commands encrypted after they are written.
    private func addTLS(to channel: any Channel) async throws {
        guard let tlsContext else {
            throw SMTPError(.configuration, stage: "STARTTLS", "TLS is not configured")
        }
        let serverName = Self.serverName(config.host)
        let handshake = try await channel.eventLoop.submit {
            let promise = channel.eventLoop.makePromise(of: Void.self)
            let tls = try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName)
            try channel.pipeline.syncOperations.addHandler(tls, position: .first)
            try channel.pipeline.syncOperations.addHandler(TLSHandshakeWatcher(promise: promise), position: .after(tls))
            return promise.futureResult
        }.get()
        try await awaitHandshake(handshake, on: channel)
    }

    /// Waits for the handshake within the command timeout; a failure is a TLS failure.
    private func awaitHandshake(_ handshake: EventLoopFuture<Void>, on channel: any Channel) async throws {
        let timer = channel.eventLoop.scheduleTask(in: Self.timeAmount(config.commandTimeout)) {
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            try await handshake.get()
        } catch {
            throw SMTPError(.tls, stage: "TLS handshake", "\(error)")
        }
    }

    static func classify(_ error: any Error, stage: String) -> SMTPError {
        if let error = error as? SMTPError { return error }
        if error is NIOSSLError || error is BoringSSLError {
            return SMTPError(.tls, stage: stage, "TLS failed: \(error)")
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return SMTPError(.timeout, stage: "connect", "no connection within the connect timeout")
        }
        if let decoding = error as? SMTPReplyDecodingError {
            return SMTPError(.unsupported, stage: stage, decoding.description)
        }
        return SMTPError(.connection, stage: stage, "\(error)")
    }

    /// SNI and certificate names are host names; an IP literal is checked against the
    /// certificate's IP addresses instead.
    static func serverName(_ host: String) -> String? {
        host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

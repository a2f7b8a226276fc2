/// Where and how to reach an SMTP relay.
public struct SMTPConfig: Sendable {
    public enum TLSMode: Sendable, Equatable {
        /// Plain text all the way (a relay on loopback).
        case none
        /// Upgrade with STARTTLS; `required` refuses to go on when the server does not offer it.
        case startTLS(required: Bool)
        /// TLS from the first byte (port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var tls: TLSMode
    public var credentials: SMTPCredentials?
    /// AUTH over an unencrypted connection; only sensible for a relay on loopback.
    public var allowPlaintextAuth: Bool
    /// The name we greet with in EHLO.
    public var heloName: String
    public var connectTimeout: Duration
    /// How long one reply may take.
    public var commandTimeout: Duration
    /// A PEM file of certificates to trust instead of the system's (a private relay's own CA).
    public var trustedCertificatesFile: String?

    public init(
        host: String, port: Int, tls: TLSMode = .startTLS(required: true), credentials: SMTPCredentials? = nil,
        allowPlaintextAuth: Bool = false, heloName: String = "localhost", connectTimeout: Duration = .seconds(10),
        commandTimeout: Duration = .seconds(30), trustedCertificatesFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.credentials = credentials
        self.allowPlaintextAuth = allowPlaintextAuth
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.trustedCertificatesFile = trustedCertificatesFile
    }
}

public struct SMTPCredentials: Sendable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// Who the message is from and to, as SMTP sees it (MAIL FROM / RCPT TO), apart from the headers.
public struct SMTPEnvelope: Sendable, Equatable {
    public var sender: String
    public var recipients: [String]

    public init(sender: String, recipients: [String]) {
        self.sender = sender
        self.recipients = recipients
    }
}

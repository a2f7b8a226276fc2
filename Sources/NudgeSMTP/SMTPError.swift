/// Why a send failed, and whether trying again later can help.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No connection, or it broke.
        case connection
        /// The server did not answer in time.
        case timeout
        /// The TLS handshake failed.
        case tls
        /// The server answered a command with an error code.
        case rejected(code: Int)
        /// The server speaks something we cannot work with (no STARTTLS when required, no usable
        /// AUTH mechanism, a garbled reply).
        case unsupported
        /// Our configuration forbids what would be needed (AUTH in plain text).
        case configuration
        /// The caller's hook before DATA failed: the server was not given the message.
        case aborted
    }

    public var kind: Kind
    /// What we were doing: "greeting", "EHLO", "RCPT TO", ...
    public var stage: String
    public var message: String

    public init(_ kind: Kind, stage: String, _ message: String) {
        self.kind = kind
        self.stage = stage
        self.message = message
    }

    /// 4xx replies, timeouts and network trouble pass; 5xx replies and configuration do not.
    public var isTransient: Bool {
        switch kind {
        case .connection, .timeout, .tls, .aborted: true
        case .rejected(let code): (400..<500).contains(code)
        case .unsupported, .configuration: false
        }
    }

    public var description: String { "SMTP \(stage): \(message)" }
}

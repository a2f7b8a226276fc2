/// The one error type of the Redis adapter. Messages carry the endpoint and the command name,
/// never argument values (they may hold personal data) nor the password.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Extensible error kind: new codes can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed, connectionClosed, timeout, protocolError, serverError, invalidArgument, crossSlot
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Could not (re)connect, authenticate or select the database.
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke while a command was in flight; the command may or may not have run.
        public static let connectionClosed = Code(.connectionClosed)
        /// No reply within the command timeout; the command may still run on the server.
        public static let timeout = Code(.timeout)
        /// The reply could not be parsed, or hiredis failed in another unexpected way.
        public static let protocolError = Code(.protocolError)
        /// Redis answered with an error reply (`ERR ...`, `NOSCRIPT ...`, a script's error).
        public static let serverError = Code(.serverError)
        /// The command could not be encoded (e.g. no command name).
        public static let invalidArgument = Code(.invalidArgument)
        /// On Redis Cluster: a command's keys lie in different hash slots, so no node can run it.
        public static let crossSlot = Code(.crossSlot)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// `host:port` of the server, when known.
    public var endpoint: String?
    /// Name of the command (e.g. `SET`, `EVALSHA`), when known.
    public var command: String?

    public init(code: Code, message: String, endpoint: String? = nil, command: String? = nil) {
        self.code = code
        self.message = message
        self.endpoint = endpoint
        self.command = command
    }

    public var description: String {
        var text = "RedisError(\(code))"
        if let command { text += " \(command)" }
        if let endpoint { text += " at \(endpoint)" }
        return text + ": \(message)"
    }

    /// The server's error prefix (`ERR`, `NOSCRIPT`, `WRONGTYPE`) for `.serverError`.
    public var serverErrorPrefix: String? {
        guard code == .serverError else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }
}

/// Where and how to reach Redis. Defaults match the local stack (`scripts/stack.sh`).
public struct RedisConfig: Sendable {
    public var host: String
    public var port: Int
    /// Sent with AUTH on every (re)connect when set; never logged.
    public var password: String?
    /// Selected with SELECT on every (re)connect when not 0.
    public var database: Int
    /// Connections in the client's pool; each has its own thread and handles one command batch at a time.
    public var poolSize: Int
    public var connectTimeout: Duration
    /// Longest wait for the socket to accept or deliver data during a command or pipeline (it bounds
    /// each wait, not a whole large pipeline). `.zero` waits forever. A blocking command (BLPOP)
    /// needs a per-call timeout above its own.
    public var commandTimeout: Duration
    /// Connect attempts per command while the server is unreachable; the command fails after the last one.
    public var reconnectAttempts: Int
    /// Pause before the second connect attempt; doubles for each further attempt.
    public var reconnectBackoff: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 16379,
        password: String? = nil,
        database: Int = 0,
        poolSize: Int = 4,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(5),
        reconnectAttempts: Int = 3,
        reconnectBackoff: Duration = .milliseconds(50)
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectAttempts = reconnectAttempts
        self.reconnectBackoff = reconnectBackoff
    }

    /// `host:port`, for messages and log metadata.
    public var endpoint: String { "\(host):\(port)" }
}

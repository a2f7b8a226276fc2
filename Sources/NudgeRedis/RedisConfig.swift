/// Where and how to reach Redis. Defaults match the local stack (`scripts/stack.sh`).
public struct RedisConfig: Sendable {
    /// One Redis server, or a Redis Cluster.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// `host` and `port` name the one server.
        case standalone
        /// `nodes` are seeds: any reachable one tells the client the slot map.
        case cluster
    }

    public var mode: Mode
    /// The server in standalone mode.
    public var host: String
    public var port: Int
    /// Cluster mode: nodes to read the slot map from (any subset of the cluster; the client
    /// learns the others from it).
    public var nodes: [RedisEndpoint]
    /// Cluster mode: how often a command is sent again after a redirect (MOVED, ASK), TRYAGAIN,
    /// CLUSTERDOWN or a node it could not connect to, before the call fails.
    public var clusterAttempts: Int
    /// Cluster mode: pause before the second such attempt; doubles for each further one, up to 1 s.
    public var clusterBackoff: Duration
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
        mode: Mode = .standalone,
        host: String = "127.0.0.1",
        port: Int = 16379,
        nodes: [RedisEndpoint] = [],
        password: String? = nil,
        database: Int = 0,
        poolSize: Int = 4,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(5),
        reconnectAttempts: Int = 3,
        reconnectBackoff: Duration = .milliseconds(50),
        clusterAttempts: Int = 16,
        clusterBackoff: Duration = .milliseconds(25)
    ) {
        self.mode = mode
        self.host = host
        self.port = port
        self.nodes = nodes
        self.clusterAttempts = clusterAttempts
        self.clusterBackoff = clusterBackoff
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectAttempts = reconnectAttempts
        self.reconnectBackoff = reconnectBackoff
    }

    /// `host:port` (cluster: the seeds, comma separated), for messages and log metadata.
    public var endpoint: String {
        switch mode {
        case .standalone: "\(host):\(port)"
        case .cluster: nodes.map(\.description).joined(separator: ",")
        }
    }

    /// This configuration aimed at one node (standalone, its own host and port).
    func node(_ endpoint: RedisEndpoint) -> RedisConfig {
        var config = self
        config.mode = .standalone
        config.host = endpoint.host
        config.port = endpoint.port
        config.nodes = []
        return config
    }
}

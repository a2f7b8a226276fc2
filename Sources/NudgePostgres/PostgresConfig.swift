import PostgresNIO

/// Where and how to reach PostgreSQL. Read by the app from file + environment (`postgres.*`).
public struct PostgresConfig: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// Bounds the TCP connect and start-up handshake of each pooled connection.
    public var connectTimeout: Duration
    public var maximumConnections: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 15432,
        username: String = "nudge",
        password: String? = nil,
        database: String = "nudge",
        connectTimeout: Duration = .seconds(5),
        maximumConnections: Int = 10
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.maximumConnections = maximumConnections
    }

    /// `host:port/database`, safe to log (no credentials).
    public var endpointDescription: String { "\(host):\(port)/\(database)" }
}

extension PostgresClient {
    /// One client per process; run it as a service (`client.run()`) before querying.
    public convenience init(config: PostgresConfig, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: config.host,
            port: config.port,
            username: config.username,
            password: config.password,
            database: config.database,
            tls: .disable
        )
        configuration.options.connectTimeout = config.connectTimeout
        configuration.options.maximumConnections = config.maximumConnections
        self.init(configuration: configuration, backgroundLogger: logger)
    }
}

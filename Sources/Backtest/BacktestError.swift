/// Why a backtest could not run, with what was wrong and where.
public struct BacktestError: Error, Sendable, CustomStringConvertible {
    /// What failed. Extensible: new codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// `--from` / `--to` missing, unreadable or out of order.
        public static let window = Code("window")
        /// The scenario or policy files given do not load.
        public static let rules = Code("rules")
        /// The history could not be read (broker, topic, timeouts).
        public static let history = Code("history")
        /// The report could not be written.
        public static let output = Code("output")

        public var description: String { rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "backtest \(code): \(message)" }
}

/// A problem in a connector file, with where it is: `connectors/sms.yaml:12:5: ...`.
public struct ConnectorConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}

/// Every problem of one load, so a broken configuration reports all of them at once.
public struct ConnectorConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConnectorConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A migration that cannot be read or applied, with what and where.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public static let unreadable = Code(name: "unreadable")
        public static let badFileName = Code(name: "bad_file_name")
        public static let duplicateVersion = Code(name: "duplicate_version")
        /// An applied migration's file changed afterwards.
        public static let checksumMismatch = Code(name: "checksum_mismatch")
        public static let failed = Code(name: "failed")
        public var description: String { name }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "migration \(code): \(message)" }
}

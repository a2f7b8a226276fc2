/// Why an operator's action on a held message was refused: the API answers 404 for
/// `unknownMessage` and 409 for the others.
public struct HeldMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let description: String
        private init(_ description: String) { self.description = description }

        /// The ledger has no entry for the id (never dispatched, expired, or erased).
        public static let unknownMessage = Code("unknown_message")
        /// The message is not held (any more): released, sent, dropped, or still in flight.
        public static let notHeld = Code("not_held")
        /// Held before held messages kept their outbound record: it cannot be resent.
        public static let noRecord = Code("no_record")
    }

    public var code: Code
    public var messageId: String
    /// What the ledger says instead of `held` (`notHeld` only).
    public var status: DispatchLedger.Status?

    public init(code: Code, messageId: String, status: DispatchLedger.Status? = nil) {
        self.code = code
        self.messageId = messageId
        self.status = status
    }

    public var description: String {
        switch code {
        case .unknownMessage: "message \(messageId) is not in the dispatch ledger"
        case .notHeld: "message \(messageId) is not held: its status is \(status?.rawValue ?? "unknown")"
        default: "message \(messageId) was held without its outbound record and cannot be resent"
        }
    }
}

/// A Redis reply copied out of hiredis memory: immutable, Sendable, free of C types.
public enum RedisReply: Sendable, Hashable {
    case status(String)
    /// An error reply; `send` throws it as `RedisError(.serverError)`, `pipeline` returns it.
    case error(String)
    case integer(Int64)
    /// A bulk string: raw bytes, binary safe.
    case bulk([UInt8])
    /// Nil bulk or nil array (missing key, BLPOP timeout).
    case null
    case array([RedisReply])

    /// Text of a bulk (decoded as UTF-8) or status reply.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// Raw bytes of a bulk or status reply.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    /// An integer reply, or a bulk reply holding a decimal integer (as GET of a counter returns).
    public var int: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .bulk(let bytes): Int(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The error message of an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { message } else { nil }
    }

    /// Returns the reply, or throws `RedisError(.serverError)` when it is an error reply.
    @discardableResult
    public func throwingError(endpoint: String? = nil, command: String? = nil) throws(RedisError) -> RedisReply {
        if case .error(let message) = self {
            throw RedisError(code: .serverError, message: message, endpoint: endpoint, command: command)
        }
        return self
    }
}

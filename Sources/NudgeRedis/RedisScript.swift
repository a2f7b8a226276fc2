/// A Lua script identified by the SHA-1 of its source, as Redis's script cache keys it.
/// Run it with `RedisClient.eval(_:keys:args:)` or `RedisCommand.evalSHA` inside a pipeline.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// Lower-case hex SHA-1 of `source`, equal to what SCRIPT LOAD returns.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(of: Array(source.utf8))
    }

    var loadCommand: RedisCommand { RedisCommand("SCRIPT", "LOAD", source) }
}

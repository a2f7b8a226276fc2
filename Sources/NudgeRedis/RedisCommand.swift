import Foundation

/// One binary-safe command argument. Values are sent with explicit lengths, so any bytes
/// (including `\0`) pass unchanged.
public struct RedisArgument: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: some StringProtocol) { self.bytes = Array(string.utf8) }
    public init(_ value: Int) { self.bytes = Array(String(value).utf8) }
    /// Shortest round-trip form (`1.5`, `1e+20`, `inf`), which Redis parses exactly.
    public init(_ value: Double) { self.bytes = Array(value.description.utf8) }
}

/// Anything usable as a command argument: `RedisCommand("SET", key, 42)`.
public protocol RedisArgumentConvertible: Sendable {
    var redisArgument: RedisArgument { get }
}

extension RedisArgument: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { self }
}
extension String: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}
extension Substring: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}
extension Int: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}
extension Double: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}
extension Array: RedisArgumentConvertible where Element == UInt8 {
    public var redisArgument: RedisArgument { RedisArgument(bytes: self) }
}
extension Data: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(bytes: Array(self)) }
}

extension RedisArgument: ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self.init(value) }
}
extension RedisArgument: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

/// A command as its arguments, the name first: `RedisCommand("SET", key, value)`.
public struct RedisCommand: Sendable {
    /// All arguments including the command name.
    public let arguments: [RedisArgument]
    /// Set for EVALSHA of a known script, so a NOSCRIPT reply can load the script and retry.
    let script: RedisScript?

    public init<each Argument: RedisArgumentConvertible>(_ name: String, _ argument: repeat each Argument) {
        var arguments = [RedisArgument(name)]
        for value in repeat each argument {
            arguments.append(value.redisArgument)
        }
        self.arguments = arguments
        self.script = nil
    }

    public init(_ name: String, arguments: [RedisArgument]) {
        self.arguments = [RedisArgument(name)] + arguments
        self.script = nil
    }

    init(arguments: [RedisArgument], script: RedisScript?) {
        self.arguments = arguments
        self.script = script
    }

    /// EVALSHA of `script`; the client loads the script and retries once on NOSCRIPT.
    public static func evalSHA(
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        args: [RedisArgument] = []
    ) -> RedisCommand {
        let head: [RedisArgument] = ["EVALSHA", RedisArgument(script.sha1), RedisArgument(keys.count)]
        return RedisCommand(arguments: head + keys + args, script: script)
    }

    /// Upper-cased command name for errors and logs; arguments are never shown.
    public var name: String {
        guard let first = arguments.first else { return "" }
        return String(decoding: first.bytes, as: UTF8.self).uppercased()
    }
}

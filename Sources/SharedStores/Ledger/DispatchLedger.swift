import EngineCore
import NudgeRedis

/// What the dispatcher knows about one message id, kept in Redis (AOF) beside the engine's state:
/// whether it was already handed to a provider, and the facts a provider's callback needs to be
/// tied back to a customer. This is what makes dispatch idempotent: a replayed outbound record
/// (a restart before the offset commit, a rebalance) finds its message done and calls nobody.
public struct DispatchLedger: Sendable {
    public enum Status: String, Sendable {
        /// Claimed by a dispatcher; no provider has it yet (a crash here is safe to resend).
        case sending
        /// Being handed to `connector` (SMTP: DATA sent): from here the provider may have it.
        case handingOver = "handover"
        case sent
        case failed
        /// Found handing over after a crash and held by `on_unknown: hold`: never sent again.
        case held
        /// Found handing over after a crash and dropped by `on_unknown: drop`, or a held message
        /// an operator dropped.
        case dropped
        /// A held message an operator released for resending: its outbound record is on the
        /// topic again and the next `begin` proceeds with it like with a fresh message.
        case released
    }

    public struct Entry: Sendable, Equatable {
        public var messageId: String
        public var status: Status
        public var attempts: Int
        public var customerId: String
        public var channel: String
        public var scenario: String
        public var step: String
        public var connector: String?
        public var providerMessageId: String?
        public var reason: String?
        /// The subscription group (topic) of the message, for unsubscribe feedback.
        public var topic: String?
        /// When the dispatcher held it (`on_unknown: hold`), for the operators' list.
        public var heldAt: Timestamp? = nil
    }

    /// Outcome of `begin`.
    public enum Begin: Sendable, Equatable {
        /// Go ahead; `attempt` > 1 means an earlier dispatch of it was cut short (crash).
        case proceed(attempt: Int)
        /// Already sent, failed, held or dropped: nothing to do.
        case done(Entry)
        /// An earlier dispatch died while handing it to `entry.connector`: whether the provider
        /// has it is unknown, and that connector's `on_unknown` decides.
        case interrupted(Entry)
    }

    /// KEYS: message hash. ARGV: ttl ms, customer, channel, scenario, step, topic.
    /// Returns {0, attempt} to proceed, {1} when already finished, {2} when interrupted. A
    /// `released` message proceeds: its next attempt, once (it is `sending` from here).
    static let beginScript = RedisScript(
        """
        local status = redis.call('HGET', KEYS[1], 's')
        if status == 'sent' or status == 'failed' or status == 'held' or status == 'dropped' then return {1} end
        if status == 'handover' then return {2} end
        local attempt = redis.call('HINCRBY', KEYS[1], 'n', 1)
        redis.call('HSET', KEYS[1], 's', 'sending', 'c', ARGV[2], 'ch', ARGV[3], 'sc', ARGV[4], 'st', ARGV[5], 'tp', ARGV[6])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return {0, attempt}
        """)

    /// KEYS: message hash. ARGV: ttl ms, status, connector, provider id, reason. The record a
    /// held message kept (`m`) is no longer needed once the message is finished. The provider
    /// index entry is written just before, on its own: it lives in the connector's hash slot,
    /// not the message's (an entry pointing at a message not yet finished is harmless).
    static let completeScript = RedisScript(
        """
        redis.call('HSET', KEYS[1], 's', ARGV[2], 'k', ARGV[3], 'p', ARGV[4], 'r', ARGV[5])
        redis.call('HDEL', KEYS[1], 'm')
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 0
        """)

    /// KEYS: message hash. ARGV: ttl ms. Back to `sending` for another attempt; returns its number.
    static let resendScript = RedisScript(
        """
        redis.call('HSET', KEYS[1], 's', 'sending')
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return redis.call('HINCRBY', KEYS[1], 'n', 1)
        """)

    let redis: RedisClient
    private let prefix: String
    /// How long a message's entry is kept: the window in which replays are recognised and
    /// callbacks can be tied to a customer.
    private let retention: Duration

    public init(redis: RedisClient, keyPrefix: String, retention: Duration = .seconds(30 * 24 * 3600)) {
        self.redis = redis
        self.prefix = keyPrefix
        self.retention = retention
    }

    /// Each message is its own hash tag: entries spread over a Redis Cluster.
    func messageKey(_ messageId: String) -> String { "\(prefix):dispatch:{\(messageId)}" }
    /// Held messages by held time (ms): one key for all of them, the operators' list.
    var heldIndexKey: String { "\(prefix):dispatch-held" }
    func providerKey(connector: String, providerMessageId: String) -> String {
        "\(prefix):provider:{\(connector)}:\(providerMessageId)"
    }

    var ttlMilliseconds: Int { Int(retention.components.seconds * 1000) }

    public func begin(
        messageId: String, customerId: String, channel: String, scenario: String, step: String, topic: String?
    ) async throws -> Begin {
        let reply = try await redis.eval(
            Self.beginScript, keys: [RedisArgument(messageKey(messageId))],
            args: [
                RedisArgument(ttlMilliseconds), RedisArgument(customerId), RedisArgument(channel),
                RedisArgument(scenario),
                RedisArgument(step), RedisArgument(topic ?? ""),
            ]
        ).throwingError()
        let parts = reply.array ?? []
        if parts.first?.int == 0 { return .proceed(attempt: parts.count > 1 ? parts[1].int ?? 1 : 1) }
        guard let entry = try await entry(messageId: messageId) else {
            throw DispatchLedgerError(message: "message \(messageId) finished but its entry is gone")
        }
        return parts.first?.int == 2 ? .interrupted(entry) : .done(entry)
    }

    /// Records that `connector` is about to get the message: one round trip before each hand-over,
    /// what lets a recovering dispatcher tell "surely not sent" from "maybe sent".
    public func markHandingOver(messageId: String, connector: String) async throws {
        _ = try await redis.send(
            RedisCommand("HSET", messageKey(messageId), "s", Status.handingOver.rawValue, "k", connector)
        ).throwingError()
    }

    /// An interrupted message that its connector's policy sends again: the next attempt's number.
    public func resend(messageId: String) async throws -> Int {
        try await redis.eval(
            Self.resendScript, keys: [RedisArgument(messageKey(messageId))], args: [RedisArgument(ttlMilliseconds)]
        ).throwingError().int ?? 1
    }

    public func complete(
        messageId: String, status: Status, connector: String, providerMessageId: String?, reason: String?
    ) async throws {
        var index: [RedisCommand] = []
        if let providerMessageId {
            index.append(
                RedisCommand(
                    "SET", providerKey(connector: connector, providerMessageId: providerMessageId), messageId, "PX",
                    ttlMilliseconds))
        }
        let completion = RedisCommand.evalSHA(
            Self.completeScript, keys: [RedisArgument(messageKey(messageId))],
            args: [
                RedisArgument(ttlMilliseconds), RedisArgument(status.rawValue), RedisArgument(connector),
                RedisArgument(providerMessageId ?? ""), RedisArgument(reason ?? ""),
            ])
        for reply in try await redis.pipeline(stages: [index, [completion]]).joined() {
            try reply.throwingError(command: "ledger complete")
        }
    }

    public func entry(messageId: String) async throws -> Entry? {
        Self.entry(
            messageId: messageId,
            hash: try await redis.send(RedisCommand("HGETALL", messageKey(messageId))).throwingError())
    }

    /// An entry from the `HGETALL` reply of its hash; nil when the hash is gone (or not an entry).
    static func entry(messageId: String, hash reply: RedisReply) -> Entry? {
        var fields: [String: String] = [:]
        let elements = reply.array ?? []
        var index = 0
        while index + 1 < elements.count {
            if let name = elements[index].string { fields[name] = elements[index + 1].string ?? "" }
            index += 2
        }
        guard let raw = fields["s"], let status = Status(rawValue: raw), let customerId = fields["c"] else {
            return nil
        }
        func nonEmpty(_ key: String) -> String? { fields[key].flatMap { $0.isEmpty ? nil : $0 } }
        return Entry(
            messageId: messageId, status: status, attempts: Int(fields["n"] ?? "") ?? 0, customerId: customerId,
            channel: fields["ch"] ?? "", scenario: fields["sc"] ?? "", step: fields["st"] ?? "",
            connector: nonEmpty("k"), providerMessageId: nonEmpty("p"), reason: nonEmpty("r"), topic: nonEmpty("tp"),
            heldAt: nonEmpty("h").flatMap { Int64($0) }.map { Timestamp(milliseconds: $0) })
    }

    /// Our message id for a provider's id, as recorded when the provider took the message.
    public func messageId(connector: String, providerMessageId: String) async throws -> String? {
        try await redis.send(
            RedisCommand("GET", providerKey(connector: connector, providerMessageId: providerMessageId))
        )
        .throwingError().string
    }
}

/// A ledger answer that makes no sense (an entry gone while its message was being finished).
public struct DispatchLedgerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "dispatch ledger: \(message)" }
}

import NudgeRecords
import ProcessSupport
import EngineCore
import Foundation
import NudgeRedis

/// A customer as the engine keeps it in Redis (`RedisKeys.customer`): the state, or the known
/// customer an anonymous id was merged into.
struct StoredCustomer: Sendable {
    var state: CustomerState?
    var mergedInto: String?

    /// Reads the customer's hash in one round trip; nil when the engine has never seen the id.
    static func read(_ id: String, redis: RedisClient, keys: RedisKeys) async throws -> StoredCustomer? {
        let reply = try await redis.send(
            "HMGET", keys.customer(id), RedisKeys.stateField, RedisKeys.aliasField
        ).throwingError(command: "HMGET")
        let fields = reply.array ?? []
        let stateBytes = fields.first?.bytes
        let alias = fields.count > 1 ? fields[1].string : nil
        guard stateBytes != nil || alias != nil else { return nil }
        return StoredCustomer(
            state: try stateBytes.map { try JSONDecoder().decode(CustomerState.self, from: Data($0)) },
            mergedInto: alias)
    }
}

/// How the admin API shows a customer: the profile and every running scenario instance.
struct CustomerView: Encodable {
    var customerId: String
    /// Set for an anonymous id that was merged into a known customer; look there instead.
    var mergedInto: String?
    var profile: Value
    var instances: [InstanceView]

    enum CodingKeys: String, CodingKey {
        case profile, instances
        case customerId = "customer_id"
        case mergedInto = "merged_into"
    }

    struct InstanceView: Encodable {
        var id: String
        var scenario: String
        var version: Int
        /// The step the instance is at now.
        var step: String
        var startedAt: Date
        /// When the step's timer fires (a wait, a wait_for timeout), if it has one.
        var waitingUntil: Date?
        /// The concurrency key, for scenarios that run one instance per key.
        var key: String?
        /// `scenario` or `programme` when the customer is in a holdout: the instance sends nothing.
        var holdout: String?

        enum CodingKeys: String, CodingKey {
            case id, scenario, version, step, key, holdout
            case startedAt = "started_at"
            case waitingUntil = "waiting_until"
        }

        init(_ instance: InstanceState) {
            id = instance.id
            scenario = instance.scenario
            version = instance.version
            step = instance.step
            startedAt = Date(instance.startedAt)
            waitingUntil = instance.timer.map { Date($0.at) }
            key = instance.key
            holdout = instance.holdout?.rawValue
        }
    }

    init(id: String, stored: StoredCustomer) {
        customerId = id
        mergedInto = stored.mergedInto
        profile = Value.object(stored.state?.profile ?? [:]).plainJSON
        instances = (stored.state?.instances ?? []).map(InstanceView.init)
    }
}

extension Date {
    init(_ timestamp: Timestamp) { self.init(timeIntervalSince1970: Double(timestamp.milliseconds) / 1000) }
}

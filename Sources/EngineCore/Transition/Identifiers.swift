/// Deterministic ids: the same input on the same state always yields the same ids, so a replay
/// after a crash produces messages the dispatcher recognizes as duplicates.
enum Identifiers {
    static func instance(scenario: String, customer: String, key: String?, entry: String) -> String {
        StableHash.hex(StableHash.fnv1a64(scenario, customer, key ?? "", entry))
    }

    /// `scenario/version/instance/step/visit`
    static func message(_ instance: InstanceState) -> String {
        "\(instance.scenario)/\(instance.version)/\(instance.id)/\(instance.step)/\(instance.visits)"
    }

    static func stepTimer(_ instance: InstanceState) -> String {
        "s/\(instance.id)/\(instance.step)/\(instance.visits)"
    }

    static func dateTrigger(scenario: String) -> String { "d/\(scenario)" }
    static func absenceTrigger(scenario: String) -> String { "a/\(scenario)" }

    /// 0..<100, the same for a customer and split step in every process.
    static func splitBucket(scenario: String, step: String, customer: String) -> Int {
        Int(StableHash.fnv1a64(scenario, step, customer) % 100)
    }
}

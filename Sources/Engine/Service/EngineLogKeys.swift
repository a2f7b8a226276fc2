/// Log metadata keys of the engine runtime. Identifiers and counts only, no personal data.
enum EngineLogKeys {
    static let partition = "engine.partition"
    static let partitions = "engine.partitions"
    static let customers = "engine.customers"
    static let records = "engine.records"
    static let alreadyProduced = "engine.records.already_produced"
    static let error = "engine.error"
    static let attempt = "engine.attempt"
    static let groupId = "kafka.group_id"
    static let scenarios = "scenario.ids"
    static let changed = "engine.customers.changed"
    static let scanned = "engine.replan.scanned"
    static let durationMilliseconds = "engine.duration_ms"
    static let reportBatches = "engine.reports.batches"
    static let reportFolds = "engine.reports.folded"
}

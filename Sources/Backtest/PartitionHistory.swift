import EngineCore
import Ingest

/// What one partition of the history holds for the replay: its records decoded the way the engine
/// decodes them (`Ingest.EventDecoder`), cut to the window, with every record that did not decode
/// counted by reason. Events no scenario can react to are only counted: their transition would
/// change nothing (`ScenarioEngine.mayChange`). Those are recognised from their envelope
/// (`SegmentEnvelope`: type, name, customer) without a full decode, so a malformed record no
/// scenario listens to counts as inert, not as skipped: it could not have changed the result.
///
/// The window on a partition is the offset range from the first record stamped at or after `from`
/// to the first stamped at or after `to`, the range `offsets_for_times` gives on Kafka. It is checked
/// here on the timestamps themselves, because a broker may start the read earlier (Tansu answers the
/// earliest offset for any time).
public struct PartitionHistory: Sendable {
    /// Customers are spread over this many replay shards by a stable hash of their id: fixed, so a
    /// backtest gives the same result on any machine.
    static let shardCount = 8
    static let skippedExamplesKept = 10

    public let partition: Int32
    let window: BacktestWindow
    let engine: ScenarioEngine
    let decoder: EventDecoder

    /// Events per replay shard, in offset order.
    private(set) var shards: [[ReplayEvent]] = Array(repeating: [], count: shardCount)
    private(set) var customers: Set<String> = []
    public private(set) var recordsRead = 0
    public private(set) var bytesRead = 0
    /// Records read before the partition's window began (the broker started the read early).
    public private(set) var beforeWindow = 0
    public private(set) var decoded = 0
    public private(set) var inert = 0
    public private(set) var skipped: [String: Int] = [:]
    public private(set) var skippedExamples: [SkippedRecord] = []
    public private(set) var firstOffset: Int64?
    public private(set) var lastOffset: Int64?
    /// Set by the first record stamped at or after `window.to`: the partition's window is over.
    public private(set) var isFinished = false
    private var isStarted = false
    /// Time spent decoding, as the reader measured it chunk by chunk.
    var decodeSeconds = 0.0

    init(partition: Int32, window: BacktestWindow, engine: ScenarioEngine, decoder: EventDecoder) {
        self.partition = partition
        self.window = window
        self.engine = engine
        self.decoder = decoder
    }

    /// Takes the next record of the partition (in offset order); ignored once `isFinished`.
    mutating func add(_ record: HistoryRecord) {
        guard !isFinished else { return }
        recordsRead += 1
        bytesRead += record.value.count
        // A record without a timestamp cannot be placed: it is taken as inside the window.
        if let stamp = record.timestamp {
            if stamp >= window.to {
                isFinished = true
                return
            }
            if !isStarted, stamp < window.from {
                beforeWindow += 1
                return
            }
        }
        isStarted = true
        if firstOffset == nil { firstOffset = record.offset }
        lastOffset = record.offset
        if record.value.count <= decoder.maxEventBytes, let envelope = SegmentEnvelope.scan(record.value),
            !engine.mayChange(kind: envelope.kind, name: envelope.name)
        {
            decoded += 1
            inert += 1
            customers.insert(envelope.customerId)
            return
        }
        // The engine's fallback message id for events without one, so replayed ids match.
        let recordId = "\(record.topic)/\(record.partition)/\(record.offset)"
        switch decoder.decode(record.value, recordId: recordId) {
        case .failure(let reason):
            skip(record, reason: reason.code, message: reason.message)
        case .success(let event):
            guard let customer = event.customerId else {
                skip(record, reason: "no_customer", message: "event has neither userId nor anonymousId")
                return
            }
            decoded += 1
            customers.insert(customer)
            guard engine.mayChange(with: event) else {
                inert += 1
                return
            }
            let shard = Int(StableHash.fnv1a64(customer) % UInt64(Self.shardCount))
            shards[shard].append(
                ReplayEvent(
                    time: event.timestamp.milliseconds, partition: record.partition, offset: record.offset, event: event
                ))
        }
    }

    private mutating func skip(_ record: HistoryRecord, reason: String, message: String) {
        skipped[reason, default: 0] += 1
        if skippedExamples.count < Self.skippedExamplesKept {
            skippedExamples.append(
                SkippedRecord(partition: record.partition, offset: record.offset, reason: reason, message: message))
        }
    }
}

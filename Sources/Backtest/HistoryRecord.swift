import EngineCore

/// One record of the events topic as the history reader hands it over: where it was, its Kafka
/// timestamp (nil when the broker sent none) and its bytes. Kafka-free, so the replay is testable
/// without a broker.
public struct HistoryRecord: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var timestamp: Timestamp?
    public var value: [UInt8]

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Timestamp?, value: [UInt8]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.value = value
    }
}

/// A decoded event on its way to the replay, with the place that orders ties.
struct ReplayEvent: Sendable {
    /// The event's own timestamp in ms (copied out of the event for a cache-friendly sort).
    var time: Int64
    var partition: Int32
    var offset: Int64
    var event: Event

    /// Event time, then partition, then offset: a customer's events keep their order on the topic
    /// when their timestamps tie.
    static func ordered(_ lhs: ReplayEvent, _ rhs: ReplayEvent) -> Bool {
        (lhs.time, lhs.partition, lhs.offset) < (rhs.time, rhs.partition, rhs.offset)
    }
}

/// A record that did not decode, for the report's first examples.
public struct SkippedRecord: Sendable, Equatable, Encodable {
    public var partition: Int32
    public var offset: Int64
    public var reason: String
    public var message: String
}

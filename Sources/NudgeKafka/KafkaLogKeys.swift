/// Log metadata keys of the Kafka adapter, one place, dotted names.
public enum KafkaLogKeys {
    public static let topic = "kafka.topic"
    public static let partition = "kafka.partition"
    public static let offset = "kafka.offset"
    public static let groupId = "kafka.group_id"
    public static let clientId = "kafka.client_id"
    public static let facility = "kafka.facility"
    public static let error = "kafka.error"
    public static let partitions = "kafka.partitions"
    public static let lost = "kafka.lost"
    public static let rebalanceProtocol = "kafka.rebalance_protocol"
    public static let libraryVersion = "kafka.librdkafka_version"
}

import NudgeKafka
import ServiceLifecycle

/// Keeps the Kafka clients alive for the life of the service group; on graceful shutdown the
/// producer flushes what is queued before its handle is destroyed.
struct KafkaClientsService: Service {
    let producer: KafkaProducer
    let admin: KafkaAdmin

    func run() async throws {
        try? await gracefulShutdown()
        await producer.shutdown()
        await admin.shutdown()
    }
}

import CRdKafka
import Foundation
import Logging

/// Owns one librdkafka handle (`rd_kafka_t`) and the context its C callbacks see.
///
/// Destruction order: the handle is destroyed in `deinit`, i.e. when the last reference goes away (the
/// poll thread and any in-flight blocking call hold one), so no call can race `rd_kafka_destroy`. After
/// `rd_kafka_destroy` returns no callback can run any more; only then is the context released.
final class RDKafkaClient: Sendable {
    enum Kind: Sendable {
        case producer, consumer
    }

    // librdkafka handles are thread-safe; the pointer itself never changes.
    nonisolated(unsafe) let handle: OpaquePointer
    /// Retained: the +1 taken in `make` is given back in `deinit`, after `rd_kafka_destroy`.
    private let context: Unmanaged<RDKafkaCallbackContext>
    let logger: Logger
    /// Serial queue for librdkafka calls that block (flush, commit, admin, metadata): never the cooperative pool.
    let blockingQueue: DispatchQueue

    private init(handle: OpaquePointer, context: Unmanaged<RDKafkaCallbackContext>, logger: Logger) {
        self.handle = handle
        self.context = context
        self.logger = logger
        self.blockingQueue = DispatchQueue(label: "nudge.kafka.blocking")
    }

    deinit {
        rd_kafka_destroy(handle)
        let context = context.takeRetainedValue()
        context.didDestroy()
    }

    /// Checks the library version, builds the configuration and creates the handle. Properties are
    /// applied in order, later ones win.
    static func make(
        kind: Kind,
        properties: [(String, String)],
        context: RDKafkaCallbackContext,
        logger: Logger
    ) throws -> RDKafkaClient {
        try KafkaLibrary.checkVersion()
        let conf = try RDKafkaConfig.make(properties)
        let unmanaged = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, unmanaged.toOpaque())
        RDKafkaCallbacks.install(on: conf, for: context)

        var errorText = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        // On success rd_kafka_new owns conf; on failure it is still ours.
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            unmanaged.release()
            throw KafkaError(code: .clientCreation, message: "rd_kafka_new failed: \(String(cBuffer: errorText))")
        }
        // Logs were queued since creation (log.queue=true); send them to the main queue, which the poll
        // thread serves, so log_cb never runs on librdkafka's internal threads.
        rd_kafka_set_log_queue(handle, nil)
        return RDKafkaClient(handle: handle, context: unmanaged, logger: logger)
    }

    /// Runs a blocking librdkafka call on `blockingQueue` and awaits its result.
    func runBlocking<T: Sendable>(_ body: @escaping @Sendable (RDKafkaClient) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            blockingQueue.async {
                continuation.resume(with: Result { try body(self) })
            }
        }
    }
}

/// Builds `rd_kafka_conf_t` from key-value pairs.
enum RDKafkaConfig {
    static func make(_ properties: [(String, String)]) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .configuration, message: "rd_kafka_conf_new failed")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties
        where rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
            != RD_KAFKA_CONF_OK
        {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(
                code: .configuration,
                message: "librdkafka rejected \(key)=\(redacted(key, value)): \(String(cBuffer: errorText))"
            )
        }
        return conf
    }

    /// Passwords and secrets never reach an error message or a log.
    static func redacted(_ key: String, _ value: String) -> String {
        let lower = key.lowercased()
        return lower.contains("password") || lower.contains("secret") || lower.contains("key") ? "<redacted>" : value
    }

    /// Properties shared by every client kind.
    static func common(_ config: KafkaConfig) -> [(String, String)] {
        [
            ("bootstrap.servers", config.brokers.joined(separator: ",")),
            ("client.id", config.clientId),
            ("log.queue", "true"),
        ]
    }
}

extension String {
    /// Decodes a NUL-terminated C buffer librdkafka filled in (error texts).
    init(cBuffer buffer: [CChar]) {
        self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

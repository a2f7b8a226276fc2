import CRdKafka
import Logging

/// What librdkafka's C callbacks reach through the handle's opaque pointer.
final class RDKafkaCallbackContext: Sendable {
    let logger: Logger
    /// Set on producers: resolves send continuations from delivery reports.
    let deliveries: DeliveryReportBridge?
    /// Set on consumers: surfaces rebalances to Swift and waits for revocation acknowledgements.
    let rebalance: ConsumerRebalanceHandler?

    init(logger: Logger, deliveries: DeliveryReportBridge? = nil, rebalance: ConsumerRebalanceHandler? = nil) {
        self.logger = logger
        self.deliveries = deliveries
        self.rebalance = rebalance
    }

    /// Called after `rd_kafka_destroy`: nothing can complete the remaining sends any more.
    func didDestroy() {
        deliveries?.failAll(KafkaError(code: .closed, message: "producer was destroyed before delivery"))
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbackContext? {
        guard let opaque else { return nil }
        return Unmanaged<RDKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// The C callbacks. They run on the thread that polls the handle (log.queue=true routes logs there too).
enum RDKafkaCallbacks {
    static func install(on conf: OpaquePointer, for context: RDKafkaCallbackContext) {
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, text in
            guard let handle, let context = RDKafkaCallbackContext.from(rd_kafka_opaque(handle)) else { return }
            let facility = facility.map { String(cString: $0) } ?? ""
            context.logger.log(
                level: RDKafkaCallbacks.logLevel(syslog: level),
                "\(text.map { String(cString: $0) } ?? "")",
                metadata: [KafkaLogKeys.facility: "\(facility)"]
            )
        }
        rd_kafka_conf_set_error_cb(conf) { _, error, reason, opaque in
            guard let context = RDKafkaCallbackContext.from(opaque) else { return }
            let rdError = rd_kafka_resp_err_t(rawValue: error)
            let reason = reason.map { String(cString: $0) } ?? ""
            // Most errors here are transient (broker down, reconnecting); librdkafka retries by itself.
            // A failed connection is already logged by log_cb (facility FAIL), so it only goes to debug.
            let level: Logger.Level =
                switch rdError {
                case RD_KAFKA_RESP_ERR__FATAL: .critical
                case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN: .error
                case RD_KAFKA_RESP_ERR__TRANSPORT: .debug
                default: .warning
                }
            context.logger.log(
                level: level,
                "librdkafka error: \(reason)",
                metadata: [KafkaLogKeys.error: "\(String(cString: rd_kafka_err2name(rdError)))"]
            )
        }
        if context.deliveries != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message, let context = RDKafkaCallbackContext.from(opaque) else { return }
                context.deliveries?.complete(message.pointee)
            }
        }
        if context.rebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { handle, error, partitions, opaque in
                guard let handle, let context = RDKafkaCallbackContext.from(opaque) else { return }
                context.rebalance?.handle(handle, error, partitions)
            }
        }
    }

    static func logLevel(syslog level: Int32) -> Logger.Level {
        switch level {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }
}

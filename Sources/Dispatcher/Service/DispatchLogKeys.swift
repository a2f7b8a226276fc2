import Logging

/// Log metadata keys of the dispatcher. Customer ids only; never addresses, content or secrets.
enum DispatchLogKeys {
    static let connector = "dispatch.connector"
    static let messageId = "dispatch.message_id"
    static let customerId = "customer.id"
    static let channel = "dispatch.channel"
    static let attempt = "dispatch.attempt"
    static let error = "error"
    static let topic = "kafka.topic"
    static let file = "file"
    static let status = "dispatch.status"
}

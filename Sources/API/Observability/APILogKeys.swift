/// Log metadata keys of the API. Identifiers only: customer ids, key names, never event contents.
enum APILogKeys {
    static let error = "error"
    static let apiKeyName = "api.key.name"
    static let source = "api.source"
    static let site = "api.site"
    static let customerId = "customer.id"
    /// A SHA-256 prefix of a customer id, where even the id should not be kept (erase).
    static let customerDigest = "customer.sha256"
    static let scenarioId = "scenario.id"
    static let scenarioVersion = "scenario.version"
    static let route = "http.route"
    static let messageId = "message.id"
    /// Whether a release that could not be queued went back to held.
    static let restored = "message.restored"
}

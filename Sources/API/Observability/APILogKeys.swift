/// Log metadata keys of the API. Identifiers only: customer ids, key names, never event contents.
enum APILogKeys {
    static let error = "error"
    static let apiKeyName = "api.key.name"
    static let source = "api.source"
    static let site = "api.site"
    static let customerId = "customer.id"
    static let route = "http.route"
}

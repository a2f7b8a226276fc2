/// Where API keys live. One real implementation (`PostgresAPIKeyStore`); tests may use their own.
public protocol APIKeyStore: Sendable {
    /// The key whose secret hashes to `hash`, revoked or not; nil when there is none.
    func key(hash: String) async throws -> APIKey?
    /// Creates a key with a fresh secret.
    func create(name: String, role: APIRole) async throws -> CreatedAPIKey
    /// All keys, oldest first.
    func list() async throws -> [APIKey]
    /// Marks a key revoked; false when no active key has this id.
    func revoke(id: Int64) async throws -> Bool
}

/// Who did what to which subject, for every administrative action.
public protocol AuditLog: Sendable {
    /// `detail` is a JSON object with the action's parameters (never secrets or personal data).
    func record(actor: String, action: String, subject: String, detail: [String: String]) async throws
}

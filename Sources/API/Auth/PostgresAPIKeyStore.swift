import Foundation
import Logging
import PostgresNIO

/// API keys in the `api_keys` table (migration 0002).
public struct PostgresAPIKeyStore: APIKeyStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    private typealias Row = (Int64, String, String, String, Date, Date?)

    public func key(hash: String) async throws -> APIKey? {
        let rows = try await client.query(
            """
            SELECT id, name, role, key_prefix, created_at, revoked_at FROM api_keys WHERE key_hash = \(hash)
            """, logger: logger)
        for try await row in rows.decode(Row.self) { return try Self.key(row) }
        return nil
    }

    public func create(name: String, role: APIRole) async throws -> CreatedAPIKey {
        let secret = APIKeySecret.generate()
        do {
            let rows = try await client.query(
                """
                INSERT INTO api_keys (name, role, key_hash, key_prefix)
                VALUES (\(name), \(role.rawValue), \(APIKeySecret.hash(secret)), \(APIKeySecret.visiblePrefix(secret)))
                RETURNING id, name, role, key_prefix, created_at, revoked_at
                """, logger: logger)
            for try await row in rows.decode(Row.self) { return CreatedAPIKey(key: try Self.key(row), secret: secret) }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == Self.uniqueViolation {
            // api_keys_active_name: names identify actors in the audit log.
            throw APIKeyNameInUse(name: name)
        }
        throw APIKeyStoreError(message: "INSERT into api_keys returned no row")
    }

    public func list() async throws -> [APIKey] {
        let rows = try await client.query(
            "SELECT id, name, role, key_prefix, created_at, revoked_at FROM api_keys ORDER BY id", logger: logger)
        var keys: [APIKey] = []
        for try await row in rows.decode(Row.self) { keys.append(try Self.key(row)) }
        return keys
    }

    public func revoke(id: Int64) async throws -> Bool {
        let rows = try await client.query(
            "UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING id",
            logger: logger)
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    /// SQLSTATE unique_violation.
    private static let uniqueViolation = "23505"

    private static func key(_ row: Row) throws -> APIKey {
        let (id, name, roleText, prefix, createdAt, revokedAt) = row
        guard let role = APIRole(rawValue: roleText) else {
            throw APIKeyStoreError(message: "api_keys row \(id) has unknown role \(roleText)")
        }
        return APIKey(id: id, name: name, role: role, prefix: prefix, createdAt: createdAt, revokedAt: revokedAt)
    }
}

/// The audit trail in the `audit_log` table (migration 0001).
public struct PostgresAuditLog: AuditLog {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func record(actor: String, action: String, subject: String, detail: [String: String]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(detail), as: UTF8.self)
        _ = try await client.query(
            """
            INSERT INTO audit_log (actor, action, subject, detail) VALUES (\(actor), \(action), \(subject), \(json)::jsonb)
            """, logger: logger)
    }
}

/// A key that is still in use already has this name (names identify actors in the audit log).
public struct APIKeyNameInUse: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var description: String { "an active API key is already named \(name)" }
}

/// A key store answer that makes no sense (a broken row), with what was wrong.
public struct APIKeyStoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "api key store: \(message)" }
}

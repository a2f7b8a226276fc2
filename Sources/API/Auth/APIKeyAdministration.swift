import Logging
import NudgePostgres
import PostgresNIO

/// API key management outside a server, for `nudge keys`: a short-lived PostgreSQL client, the
/// same store and audit log the server uses.
public enum APIKeyAdministration {
    /// Creates a key and audits it as done by `actor` (the command line names itself `cli`).
    public static func create(
        postgres: PostgresConfig, name: String, role: APIRole, actor: String, logger: Logger
    ) async throws -> CreatedAPIKey {
        try await withClient(postgres, logger: logger) { client in
            let created = try await PostgresAPIKeyStore(client: client, logger: logger).create(name: name, role: role)
            try await PostgresAuditLog(client: client, logger: logger).record(
                actor: actor, action: "api_key.create", subject: "api_key:\(created.key.id)",
                detail: ["name": name, "role": role.rawValue])
            return created
        }
    }

    public static func list(postgres: PostgresConfig, logger: Logger) async throws -> [APIKey] {
        try await withClient(postgres, logger: logger) { client in
            try await PostgresAPIKeyStore(client: client, logger: logger).list()
        }
    }

    private static func withClient<T: Sendable>(
        _ config: PostgresConfig, logger: Logger, _ body: @escaping @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(config: config, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

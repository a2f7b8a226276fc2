import API
import Foundation
import Synchronization

/// Key store for tests that do not exercise PostgreSQL.
final class InMemoryAPIKeyStore: APIKeyStore {
    private let keys = Mutex<[(hash: String, key: APIKey)]>([])
    let lookups = Atomic<Int>(0)

    func key(hash: String) async throws -> APIKey? {
        lookups.add(1, ordering: .relaxed)
        return keys.withLock { keys in keys.first { $0.hash == hash }?.key }
    }

    func create(name: String, role: APIRole) async throws -> CreatedAPIKey {
        let secret = APIKeySecret.generate()
        let key = keys.withLock { keys in
            let key = APIKey(
                id: Int64(keys.count + 1), name: name, role: role, prefix: String(secret.prefix(7)), createdAt: Date())
            keys.append((APIKeySecret.hash(secret), key))
            return key
        }
        return CreatedAPIKey(key: key, secret: secret)
    }

    func list() async throws -> [APIKey] { keys.withLock { $0.map(\.key) } }

    func revoke(id: Int64) async throws -> Bool {
        keys.withLock { keys in
            guard let index = keys.firstIndex(where: { $0.key.id == id && $0.key.isActive }) else { return false }
            keys[index].key.revokedAt = Date()
            return true
        }
    }
}

final class InMemoryAuditLog: AuditLog {
    struct Entry: Sendable, Equatable {
        var actor: String
        var action: String
        var subject: String
        var detail: [String: String]
    }

    private let entries = Mutex<[Entry]>([])
    var all: [Entry] { entries.withLock { $0 } }

    func record(actor: String, action: String, subject: String, detail: [String: String]) async throws {
        entries.withLock { $0.append(Entry(actor: actor, action: action, subject: subject, detail: detail)) }
    }
}

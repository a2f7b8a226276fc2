import Foundation

/// What an API key may do. Each role includes the ones before it:
/// viewer (read) < editor (change drafts) < publisher (deploy) < admin (keys, everything).
public enum APIRole: String, Sendable, Codable, CaseIterable, Comparable {
    case viewer, editor, publisher, admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .editor: 1
        case .publisher: 2
        case .admin: 3
        }
    }

    public static func < (lhs: APIRole, rhs: APIRole) -> Bool { lhs.rank < rhs.rank }
}

/// An API key as stored: never the secret itself, only its SHA-256.
public struct APIKey: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var role: APIRole
    /// The first characters of the secret (`nk_AbCd`), so people can tell keys apart in lists.
    public var prefix: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: Int64, name: String, role: APIRole, prefix: String, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var isActive: Bool { revokedAt == nil }
}

/// A newly created key: the secret is shown to its creator once and never stored.
public struct CreatedAPIKey: Sendable {
    public var key: APIKey
    public var secret: String

    public init(key: APIKey, secret: String) {
        self.key = key
        self.secret = secret
    }
}

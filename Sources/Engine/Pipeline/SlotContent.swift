import EngineCore

/// What a content slot shows a customer, as stored for the content API.
public struct SlotContent: Sendable, Equatable, Codable {
    public var payload: [String: Value]
    public var expiresAt: Timestamp?
    public var scenario: String
    public var step: String
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case payload
        case expiresAt = "expires_at"
        case scenario, step
        case updatedAt = "updated_at"
    }
}

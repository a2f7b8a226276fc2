import EngineCore

/// What a content slot shows a customer, as stored for the content API.
public struct SlotContent: Sendable, Equatable, Codable {
    public var payload: [String: Value]
    public var expiresAt: Timestamp?
    public var scenario: String
    public var step: String
    public var updatedAt: Timestamp

    public init(payload: [String: Value], expiresAt: Timestamp?, scenario: String, step: String, updatedAt: Timestamp) {
        self.payload = payload
        self.expiresAt = expiresAt
        self.scenario = scenario
        self.step = step
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case payload
        case expiresAt = "expires_at"
        case scenario, step
        case updatedAt = "updated_at"
    }
}

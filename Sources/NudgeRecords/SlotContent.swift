import EngineCore

/// What a content slot shows a customer, as stored for the content API.
public struct SlotContent: Sendable, Equatable, Codable {
    /// The layout this Nudge writes (`record_version`); slots without one are version 1.
    public static let currentRecordVersion = 1

    public var recordVersion: Int
    public var payload: [String: Value]
    public var expiresAt: Timestamp?
    public var scenario: String
    public var step: String
    public var updatedAt: Timestamp

    public init(payload: [String: Value], expiresAt: Timestamp?, scenario: String, step: String, updatedAt: Timestamp) {
        self.recordVersion = Self.currentRecordVersion
        self.payload = payload
        self.expiresAt = expiresAt
        self.scenario = scenario
        self.step = step
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case recordVersion = "record_version"
        case payload
        case expiresAt = "expires_at"
        case scenario, step
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        recordVersion = try RecordVersion.decode(container, forKey: .recordVersion, current: Self.currentRecordVersion)
        payload = try container.decode([String: Value].self, forKey: .payload)
        expiresAt = try container.decodeIfPresent(Timestamp.self, forKey: .expiresAt)
        scenario = try container.decode(String.self, forKey: .scenario)
        step = try container.decode(String.self, forKey: .step)
        updatedAt = try container.decode(Timestamp.self, forKey: .updatedAt)
    }
}

import EngineCore

/// A slot's stored form (the `jsonValue` the engine writes into `<prefix>:slots:{id}`) read back
/// with the core's byte-level parser: the content API reads one per slot on every page view, and
/// JSONDecoder was the largest cost of a request. Reads what the Codable form wrote, too.
extension SlotContent {
    public init(storedJSON bytes: [UInt8]) throws(SlotContentError) {
        let value: Value
        do {
            value = try JSONValueParser.parse(bytes)
        } catch {
            throw SlotContentError(message: "not JSON: \(error)")
        }
        guard case .object(let fields) = value else { throw SlotContentError(message: "not an object") }
        var version = 1
        switch fields["record_version"] {
        case nil, .null?: break
        case .int(let number)? where number >= 1 && number <= Int64(Self.currentRecordVersion): version = Int(number)
        case let other?:
            throw SlotContentError(
                message: "`record_version` \(other) is not one this Nudge reads (1...\(Self.currentRecordVersion))")
        }
        guard case .string(let scenario) = fields["scenario"], case .string(let step) = fields["step"] else {
            throw SlotContentError(message: "`scenario` and `step` must be strings")
        }
        guard case .int(let updatedAt) = fields["updated_at"] else {
            throw SlotContentError(message: "`updated_at` must be an integer (milliseconds)")
        }
        var expiresAt: Timestamp?
        switch fields["expires_at"] {
        case nil, .null?: expiresAt = nil
        case .int(let milliseconds)?: expiresAt = Timestamp(milliseconds: milliseconds)
        default: throw SlotContentError(message: "`expires_at` must be an integer (milliseconds)")
        }
        let payload: [String: Value]
        switch fields["payload"] {
        case .object(let object)?: payload = object
        // The parser reads a one-key `{"$ts": ms}` object as an instant; as a payload it is a map.
        case .timestamp(let instant)?: payload = ["$ts": .int(instant.milliseconds)]
        case .span(let span)?: payload = ["$ms": .int(span.milliseconds)]
        default: throw SlotContentError(message: "`payload` must be an object")
        }
        self.init(
            payload: payload, expiresAt: expiresAt, scenario: scenario, step: step,
            updatedAt: Timestamp(milliseconds: updatedAt))
        recordVersion = version
    }
}

/// Why stored slot content could not be read.
public struct SlotContentError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "slot content: \(message)" }
}

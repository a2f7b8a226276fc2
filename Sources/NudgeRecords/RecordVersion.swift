/// `record_version` of a persisted record: absent means 1 (records written before the field
/// existed); one newer than this Nudge reads is refused rather than misread.
enum RecordVersion {
    static func decode<Key: CodingKey>(
        _ container: KeyedDecodingContainer<Key>, forKey key: Key, current: Int
    ) throws -> Int {
        let version = try container.decodeIfPresent(Int.self, forKey: key) ?? 1
        guard version <= current else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "record_version \(version) is newer than this Nudge reads (\(current))")
        }
        return version
    }
}

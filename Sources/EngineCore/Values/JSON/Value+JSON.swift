/// JSON bytes in and out of `Value` without Foundation's coders: the fast path for ingest and
/// stored state. Same meaning and, on the way out, the same bytes as the `Codable` conformance.
extension Value {
    public init(jsonBytes: [UInt8]) throws(JSONParseError) {
        self = try JSONValueParser.parse(jsonBytes)
    }

    public init(jsonBytes: UnsafeRawBufferPointer) throws(JSONParseError) {
        self = try JSONValueParser.parse(jsonBytes)
    }

    /// Compact JSON with sorted keys; fails only on a non-finite double.
    public func jsonBytes() throws(JSONWriteError) -> [UInt8] {
        try JSONValueWriter.bytes(self)
    }
}

import CRdKafka

/// The librdkafka the process loaded. Log `versionString` at start: Debian ships an older librdkafka
/// beside the one `scripts/install-deps.sh` installs, and the loader path decides which one runs.
public enum KafkaLibrary {
    /// Oldest librdkafka the adapter accepts (2.1.0: incremental rebalance and KIP-345 fixes it relies on).
    public static let minimumVersion: Int32 = 0x0201_0000
    public static let minimumVersionString = "2.1.0"

    /// The loaded librdkafka's version, e.g. `2.8.0`.
    public static var versionString: String { String(cString: rd_kafka_version_str()) }

    /// The loaded librdkafka's version as `0xMMmmrrxx`.
    public static var version: Int32 { rd_kafka_version() }

    /// Throws `.libraryTooOld` unless the loaded librdkafka is at least `minimumVersionString`.
    /// Every client runs this before it creates a librdkafka handle.
    public static func checkVersion() throws {
        try check(version: version, versionString: versionString)
    }

    static func check(version: Int32, versionString: String) throws {
        guard version >= minimumVersion else {
            throw KafkaError(
                code: .libraryTooOld,
                message: "librdkafka \(versionString) is loaded but \(minimumVersionString) or newer is required; "
                    + "run scripts/install-deps.sh and make sure /usr/local/lib comes first on the loader path"
            )
        }
    }
}

/// Turns a librdkafka error code into a `KafkaError` carrying its name and description.
func kafkaError(
    _ code: KafkaError.Code,
    _ message: String,
    rdError: rd_kafka_resp_err_t,
    topic: String? = nil,
    partition: Int32? = nil,
    file: String = #fileID,
    line: Int = #line
) -> KafkaError {
    KafkaError(
        code: code,
        message: "\(message): \(String(cString: rd_kafka_err2str(rdError)))",
        topic: topic,
        partition: partition,
        libraryErrorName: String(cString: rd_kafka_err2name(rdError)),
        libraryErrorCode: rdError.rawValue,
        file: file,
        line: line
    )
}

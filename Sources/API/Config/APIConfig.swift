import EngineCore
import Foundation

/// Settings of the public HTTP API. Defaults follow Segment's HTTP API limits, so clients written
/// for Segment behave the same here. The composition root maps the `api.*` and `content.*`
/// configuration keys onto these fields.
public struct APIConfig: Sendable {
    /// Write keys for ingestion, one per event source (`api.write_keys`: `source=key` pairs). The
    /// source name is stamped on every produced record (header `nudge-ingest-source`).
    public var writeKeys: [NamedKey]
    /// Public keys of the sites and apps that read content blocks (`api.site_keys`: `site=key`
    /// pairs). Public by design: they only gate the read of content, never ingestion or admin.
    public var siteKeys: [NamedKey]
    /// Browser origins allowed to call the public endpoints (`api.cors_origins`), compared exactly
    /// (`https://shop.example`); `*` allows any origin.
    public var corsOrigins: [String]
    /// Largest single event (`api.max_event_bytes`); Segment's limit is 32 KB. Also the body limit
    /// of `/v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen`.
    public var maxEventBytes: Int
    /// Largest `/v1/batch` body (`api.max_batch_bytes`); Segment's limit is 500 KB.
    public var maxBatchBytes: Int
    /// Most events in one `/v1/batch` (`api.max_batch_events`).
    public var maxBatchEvents: Int
    /// Most slots one content request may ask for (`content.max_slots`).
    public var maxContentSlots: Int
    /// What a slot shows when nothing is personalized for the customer (`content.defaults`, a JSON
    /// object slot -> payload; see `APIConfig.parseContentDefaults`).
    public var contentDefaults: [String: Value]
    /// Impressions waiting to be produced; beyond this they are dropped and counted
    /// (`content.impression_buffer`).
    public var impressionBufferSize: Int
    /// How long a looked-up API key (or its absence) is trusted before asking PostgreSQL again
    /// (`api.key_cache_ttl`); a revoked key stops working within this time.
    public var keyCacheTTL: Duration
    /// Largest scenario YAML accepted by validate and deploy (`api.max_scenario_bytes`).
    public var maxScenarioBytes: Int
    /// How long a scenario edit lock lasts unless renewed (`api.scenario_lock_ttl`).
    public var scenarioLockTTL: Duration
    /// How long a console sign-in lasts (`api.console_session_ttl`).
    public var consoleSessionTTL: Duration
    /// Whether the console's session cookie is `Secure` (`api.console_secure_cookie`): turn it on
    /// whenever the console is reached over HTTPS.
    public var consoleSecureCookie: Bool

    public init(
        writeKeys: [NamedKey] = [],
        siteKeys: [NamedKey] = [],
        corsOrigins: [String] = [],
        maxEventBytes: Int = 32 * 1024,
        maxBatchBytes: Int = 500 * 1024,
        maxBatchEvents: Int = 1000,
        maxContentSlots: Int = 20,
        contentDefaults: [String: Value] = [:],
        impressionBufferSize: Int = 10_000,
        keyCacheTTL: Duration = .seconds(10),
        maxScenarioBytes: Int = 256 * 1024,
        scenarioLockTTL: Duration = .seconds(15 * 60),
        consoleSessionTTL: Duration = .seconds(8 * 3600),
        consoleSecureCookie: Bool = false
    ) {
        self.writeKeys = writeKeys
        self.siteKeys = siteKeys
        self.corsOrigins = corsOrigins
        self.maxEventBytes = maxEventBytes
        self.maxBatchBytes = maxBatchBytes
        self.maxBatchEvents = maxBatchEvents
        self.maxContentSlots = maxContentSlots
        self.contentDefaults = contentDefaults
        self.impressionBufferSize = impressionBufferSize
        self.keyCacheTTL = keyCacheTTL
        self.maxScenarioBytes = maxScenarioBytes
        self.scenarioLockTTL = scenarioLockTTL
        self.consoleSessionTTL = consoleSessionTTL
        self.consoleSecureCookie = consoleSecureCookie
    }

    /// Reads `name=key` pairs as configuration lists hold them (`web=wk_123`).
    public static func parseNamedKeys(_ pairs: [String], configKey: String) throws(APIConfigError) -> [NamedKey] {
        try pairs.map { pair throws(APIConfigError) in
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex,
                pair.index(after: equals) != pair.endIndex
            else {
                // The value may be a secret: say where, not what.
                throw APIConfigError(key: configKey, message: "expected name=key entries")
            }
            return NamedKey(name: String(pair[..<equals]), key: String(pair[pair.index(after: equals)...]))
        }
    }

    /// Reads `content.defaults`: a JSON object of slot name -> payload object.
    public static func parseContentDefaults(_ json: String) throws(APIConfigError) -> [String: Value] {
        let value: Value
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(json.utf8))
        } catch {
            throw APIConfigError(key: "content.defaults", message: "not valid JSON: \(error)")
        }
        guard case .object(let slots) = value else {
            throw APIConfigError(key: "content.defaults", message: "expected a JSON object of slot -> payload")
        }
        for (slot, payload) in slots {
            guard case .object = payload else {
                throw APIConfigError(key: "content.defaults", message: "slot \(slot): payload must be a JSON object")
            }
        }
        return slots
    }
}

/// A named credential: a write key of an event source, or a site's public content key.
public struct NamedKey: Sendable, Hashable {
    public var name: String
    public var key: String

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }
}

/// An API setting that is present but unusable. Never carries the value (it may be a secret).
public struct APIConfigError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String
    public var description: String { "configuration \(key): \(message)" }
}

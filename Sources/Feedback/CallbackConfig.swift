import EngineCore

/// How one connector's provider calls back: how its requests are signed and how its payload
/// maps to feedback. Read from the connector's `callback:` section.
public struct CallbackConfig: Sendable {
    /// HMAC-SHA256 key shared with the provider (from the environment, never the config file).
    public var secret: String
    /// Header carrying the hex signature, e.g. `X-Signature`.
    public var signatureHeader: String
    /// Text before the hex digits in that header, e.g. `sha256=`.
    public var signaturePrefix: String
    /// When set, the signed content is `<timestamp>.<body>` and requests older than `tolerance`
    /// are refused, so a captured callback cannot be replayed later.
    public var timestampHeader: String?
    public var tolerance: Duration
    public var mapping: CallbackMapping

    public init(
        secret: String, signatureHeader: String = "X-Nudge-Signature", signaturePrefix: String = "sha256=",
        timestampHeader: String? = nil, tolerance: Duration = .seconds(300), mapping: CallbackMapping
    ) {
        self.secret = secret
        self.signatureHeader = signatureHeader
        self.signaturePrefix = signaturePrefix
        self.timestampHeader = timestampHeader
        self.tolerance = tolerance
        self.mapping = mapping
    }
}

/// Where the fields of a provider's callback are. A payload holds one event, or a list of them
/// at `events`.
public struct CallbackMapping: Sendable {
    public var events: JSONPath?
    /// Our message id, where the provider echoes the reference we sent it.
    public var messageId: JSONPath?
    /// The provider's own message id (the one its API answered the send with).
    public var providerMessageId: JSONPath?
    public var status: JSONPath
    /// Provider status -> normalized feedback; statuses not listed (e.g. `queued`) are ignored.
    public var statuses: [String: DeliveryFeedback.Status]
    public var reason: JSONPath?
    public var bounceType: JSONPath?
    public var url: JSONPath?
    /// The provider's id of this callback event: repeated deliveries of it are recognised.
    public var eventId: JSONPath?
    /// When it happened: ISO 8601, or epoch seconds/milliseconds. Missing -> the time received.
    public var timestamp: JSONPath?

    public init(
        events: JSONPath? = nil, messageId: JSONPath? = nil, providerMessageId: JSONPath? = nil, status: JSONPath,
        statuses: [String: DeliveryFeedback.Status], reason: JSONPath? = nil, bounceType: JSONPath? = nil,
        url: JSONPath? = nil, eventId: JSONPath? = nil, timestamp: JSONPath? = nil
    ) {
        self.events = events
        self.messageId = messageId
        self.providerMessageId = providerMessageId
        self.status = status
        self.statuses = statuses
        self.reason = reason
        self.bounceType = bounceType
        self.url = url
        self.eventId = eventId
        self.timestamp = timestamp
    }
}

import EngineCore
import Feedback

/// One channel connector as configured in `connectors/<name>.yaml`.
public struct ConnectorConfig: Sendable {
    public enum Kind: Sendable {
        case smtp(SMTPSettings)
        case http(HTTPSettings)
        case kafka(KafkaHandOffSettings)
        case onsite(OnsiteSettings)

        public var name: String {
            switch self {
            case .smtp: "smtp"
            case .http: "http"
            case .kafka: "kafka"
            case .onsite: "onsite"
            }
        }
    }

    public var name: String
    /// The message channel it delivers (`email`, `sms`, `push`, ...).
    public var channel: String
    public var kind: Kind
    /// Only used as another connector's fallback, never picked for its channel directly.
    public var fallbackOnly: Bool
    /// The connector to try when this one is down (retries exhausted or breaker open).
    public var fallback: String?
    /// Where the recipient's address is in the render context (`profile.email`); nil when the
    /// connector needs none (Kafka hand-off, on-site content).
    public var recipient: String?
    public var rateLimit: ProviderRateLimiter.Limit?
    public var retry: RetryPolicy
    public var breaker: CircuitBreaker.Settings
    public var timeout: Duration
    public var callback: CallbackConfig?
    /// What a recovering dispatcher does with a message it was handing to this connector when
    /// it died, the provider's answer never recorded.
    public var onUnknown: OnUnknown

    public enum OnUnknown: String, Sendable, CaseIterable {
        /// Send it again: the provider recognises the repeat (HTTP `Idempotency-Key`, a slot write).
        case resend
        /// Do not send it again; the message log says `unknown`.
        case drop
        /// Do not send it again; the message log says `held` for an operator to look at the
        /// provider's side (SMTP has no idempotency key: a resend could be a second email).
        case hold
    }

    /// Hold for SMTP and for HTTP without an idempotency header; resend where a repeat is recognised.
    public static func defaultOnUnknown(_ kind: Kind) -> OnUnknown {
        switch kind {
        case .smtp: .hold
        case .http(let settings): settings.idempotencyHeader == nil ? .hold : .resend
        case .kafka, .onsite: .resend
        }
    }

    public init(
        name: String, channel: String, kind: Kind, fallbackOnly: Bool = false, fallback: String? = nil,
        recipient: String? = nil, rateLimit: ProviderRateLimiter.Limit? = nil, retry: RetryPolicy = RetryPolicy(),
        breaker: CircuitBreaker.Settings = CircuitBreaker.Settings(), timeout: Duration = .seconds(10),
        callback: CallbackConfig? = nil, onUnknown: OnUnknown? = nil
    ) {
        self.name = name
        self.channel = channel
        self.kind = kind
        self.fallbackOnly = fallbackOnly
        self.fallback = fallback
        self.recipient = recipient
        self.rateLimit = rateLimit
        self.retry = retry
        self.breaker = breaker
        self.timeout = timeout
        self.callback = callback
        self.onUnknown = onUnknown ?? Self.defaultOnUnknown(kind)
    }
}

public struct SMTPSettings: Sendable {
    public enum Security: String, Sendable {
        case none
        case starttls
        case implicit
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// Refuse to send when STARTTLS is configured but the server does not offer it.
    public var requireTLS: Bool
    public var username: String?
    public var password: String?
    /// A PEM file of certificates to trust (a private relay's own CA).
    public var caFile: String?
    /// `Name <address>` or an address.
    public var from: String
    public var replyTo: String?
    /// The domain of generated Message-IDs.
    public var messageIdDomain: String
    public var trackOpens: Bool
    public var trackClicks: Bool
    /// The Maildir the return address's mail is delivered to: its delivery status reports
    /// become bounce feedback (`BounceMailboxService`). Nil: bounce reports are not read.
    public var bounceMaildir: String?

    public init(
        host: String, port: Int, security: Security = .none, requireTLS: Bool = true, username: String? = nil,
        password: String? = nil, caFile: String? = nil, from: String, replyTo: String? = nil,
        messageIdDomain: String = "nudge.local", trackOpens: Bool = true, trackClicks: Bool = true
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.requireTLS = requireTLS
        self.username = username
        self.password = password
        self.caFile = caFile
        self.from = from
        self.replyTo = replyTo
        self.messageIdDomain = messageIdDomain
        self.trackOpens = trackOpens
        self.trackClicks = trackClicks
    }
}

public struct HTTPSettings: Sendable {
    public enum BodyFormat: String, Sendable {
        case json
        case form
        case text
    }

    public var method: String
    /// Mustache templates over the render context (`{{recipient}}`, `{{content.text}}`, ...).
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: String?
    public var bodyFormat: BodyFormat
    /// Header carrying our message id, for providers that deduplicate on it.
    public var idempotencyHeader: String?
    /// Where the provider's message id is in its JSON answer.
    public var responseMessageId: JSONPath?

    public init(
        method: String = "POST", url: String, headers: [(name: String, value: String)] = [], body: String? = nil,
        bodyFormat: BodyFormat = .json, idempotencyHeader: String? = "Idempotency-Key",
        responseMessageId: JSONPath? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.bodyFormat = bodyFormat
        self.idempotencyHeader = idempotencyHeader
        self.responseMessageId = responseMessageId
    }
}

public struct KafkaHandOffSettings: Sendable {
    public var topic: String

    public init(topic: String) {
        self.topic = topic
    }
}

public struct OnsiteSettings: Sendable {
    /// The slot written when the message's variables name none (`slot` variable).
    public var slot: String?
    /// How long the content shows; nil: until replaced.
    public var ttl: TimeSpan?

    public init(slot: String? = nil, ttl: TimeSpan? = nil) {
        self.slot = slot
        self.ttl = ttl
    }
}

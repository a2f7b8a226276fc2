import EngineCore
import Feedback
import Testing

@testable import Dispatcher

extension Unit {
    @Suite("Connector files: one YAML file to one connector")
    struct ConnectorConfigLoaderTests {
        static let file = "connectors/test.yaml"

        static func load(_ yaml: String, environment: [String: String] = [:]) throws -> ConnectorConfig {
            try ConnectorConfigLoader(environment: environment).load(yaml: yaml, file: file)
        }

        /// The problems of a file that must not load.
        static func errors(_ yaml: String, environment: [String: String] = [:]) -> [ConnectorConfigError] {
            do throws(ConnectorConfigErrors) {
                let config = try ConnectorConfigLoader(environment: environment).load(yaml: yaml, file: file)
                Issue.record("loaded \(config.name) although it should not")
                return []
            } catch {
                return error.errors
            }
        }

        static func error(_ line: Int, _ column: Int, _ message: String) -> ConnectorConfigError {
            ConnectorConfigError(file: file, line: line, column: column, message: message)
        }

        // MARK: every connector type

        @Test func readsAnSMTPConnectorWithEveryField() throws {
            let config = try Self.load(
                """
                name: mail
                type: smtp
                channel: email
                recipient: profile.email
                timeout: 15s
                rate_limit: {per_second: 200, burst: 50}
                retry: {attempts: 6, base_delay: 500ms, max_delay: 1m}
                breaker: {failures: 3, open_for: 2m}
                smtp:
                  host: smtp.example.com
                  port: 587
                  security: starttls
                  require_tls: false
                  username: mailer
                  password: hunter2-hunter2
                  ca_file: /etc/ssl/relay.pem
                  from: "Nudge <noreply@example.com>"
                  reply_to: help@example.com
                  message_id_domain: mail.example.com
                  track_opens: false
                  track_clicks: no
                """)
            #expect(config.name == "mail")
            #expect(config.channel == "email")
            #expect(config.recipient == "profile.email")
            #expect(config.timeout == .seconds(15))
            #expect(config.rateLimit == ProviderRateLimiter.Limit(perSecond: 200, burst: 50))
            #expect(config.retry == RetryPolicy(attempts: 6, baseDelay: .milliseconds(500), maxDelay: .seconds(60)))
            #expect(config.breaker == CircuitBreaker.Settings(failureThreshold: 3, openFor: .seconds(120)))
            #expect(!config.fallbackOnly)
            #expect(config.fallback == nil)
            #expect(config.callback == nil)
            guard case .smtp(let smtp) = config.kind else {
                Issue.record("expected smtp, got \(config.kind.name)")
                return
            }
            #expect(smtp.host == "smtp.example.com")
            #expect(smtp.port == 587)
            #expect(smtp.security == .starttls)
            #expect(!smtp.requireTLS)
            #expect(smtp.username == "mailer")
            #expect(smtp.password == "hunter2-hunter2")
            #expect(smtp.caFile == "/etc/ssl/relay.pem")
            #expect(smtp.from == "Nudge <noreply@example.com>")
            #expect(smtp.replyTo == "help@example.com")
            #expect(smtp.messageIdDomain == "mail.example.com")
            #expect(!smtp.trackOpens)
            #expect(!smtp.trackClicks)
        }

        @Test func anSMTPConnectorGetsDefaults() throws {
            let config = try Self.load(
                """
                type: smtp
                channel: email
                recipient: profile.email
                smtp: {host: 127.0.0.1, port: 25, from: a@b.c}
                """)
            #expect(config.name == "test")
            #expect(config.timeout == .seconds(10))
            #expect(config.rateLimit == nil)
            #expect(config.retry == RetryPolicy())
            #expect(config.breaker == CircuitBreaker.Settings())
            guard case .smtp(let smtp) = config.kind else {
                Issue.record("expected smtp, got \(config.kind.name)")
                return
            }
            #expect(smtp.security == .none)
            #expect(smtp.requireTLS)
            #expect(smtp.username == nil)
            #expect(smtp.password == nil)
            #expect(smtp.messageIdDomain == "nudge.local")
            #expect(smtp.trackOpens)
            #expect(smtp.trackClicks)
        }

        @Test func readsAnHTTPConnector() throws {
            let config = try Self.load(
                """
                type: http
                channel: sms
                recipient: profile.phone
                fallback: sms-handoff
                http:
                  method: put
                  url: https://gw.example.com/v1/messages
                  headers:
                    Authorization: Bearer token
                    X-Account: acme
                  body: '{"to": "{{recipient}}"}'
                  body_format: form
                  idempotency_header: X-Request-Id
                  response:
                    message_id: $.data.id
                """)
            #expect(config.kind.name == "http")
            #expect(config.fallback == "sms-handoff")
            guard case .http(let http) = config.kind else { return }
            #expect(http.method == "PUT")
            #expect(http.url == "https://gw.example.com/v1/messages")
            #expect(http.headers.map(\.name) == ["Authorization", "X-Account"])
            #expect(http.headers.map(\.value) == ["Bearer token", "acme"])
            #expect(http.body == #"{"to": "{{recipient}}"}"#)
            #expect(http.bodyFormat == .form)
            #expect(http.idempotencyHeader == "X-Request-Id")
            #expect(http.responseMessageId == (try JSONPath("$.data.id")))
        }

        @Test func anHTTPConnectorGetsDefaultsAndAnEmptyIdempotencyHeaderTurnsItOff() throws {
            let plain = try Self.load("type: http\nchannel: push\nrecipient: profile.token\nhttp: {url: http://x}\n")
            guard case .http(let defaults) = plain.kind else {
                Issue.record("expected http")
                return
            }
            #expect(defaults.method == "POST")
            #expect(defaults.bodyFormat == .json)
            #expect(defaults.idempotencyHeader == "Idempotency-Key")
            #expect(defaults.headers.isEmpty)
            #expect(defaults.body == nil)
            #expect(defaults.responseMessageId == nil)

            let off = try Self.load(
                "type: http\nchannel: push\nrecipient: profile.token\nhttp: {url: http://x, idempotency_header: ''}\n")
            guard case .http(let settings) = off.kind else { return }
            #expect(settings.idempotencyHeader == nil)
        }

        @Test func readsAKafkaHandOffConnector() throws {
            let config = try Self.load(
                "name: sms-handoff\ntype: kafka\nchannel: sms\nfallback_only: true\nkafka: {topic: nudge.handoff.sms}\n"
            )
            #expect(config.name == "sms-handoff")
            #expect(config.fallbackOnly)
            #expect(config.recipient == nil)
            guard case .kafka(let kafka) = config.kind else {
                Issue.record("expected kafka, got \(config.kind.name)")
                return
            }
            #expect(kafka.topic == "nudge.handoff.sms")
        }

        @Test func readsOnsiteConnectorsWithAndWithoutTheirSection() throws {
            let bare = try Self.load("type: onsite\nchannel: onsite\n")
            guard case .onsite(let defaults) = bare.kind else {
                Issue.record("expected onsite, got \(bare.kind.name)")
                return
            }
            #expect(defaults.slot == nil)
            #expect(defaults.ttl == nil)

            let full = try Self.load("type: onsite\nchannel: onsite\nonsite: {slot: home-banner, ttl: 7d}\n")
            guard case .onsite(let settings) = full.kind else { return }
            #expect(settings.slot == "home-banner")
            #expect(settings.ttl == .days(7))
        }

        @Test func aRateLimitWithoutBurstGetsATenthOfTheRate() throws {
            let yaml = "type: kafka\nchannel: sms\nkafka: {topic: t}\nrate_limit: {per_second: %@}\n"
            let fast = try Self.load(yaml.replacingOccurrences(of: "%@", with: "250"))
            #expect(fast.rateLimit == ProviderRateLimiter.Limit(perSecond: 250, burst: 25))
            let slow = try Self.load(yaml.replacingOccurrences(of: "%@", with: "0.5"))
            #expect(slow.rateLimit == ProviderRateLimiter.Limit(perSecond: 0.5, burst: 1))
        }

        @Test func partialRetryAndBreakerSectionsKeepTheOtherDefaults() throws {
            let config = try Self.load(
                "type: kafka\nchannel: sms\nkafka: {topic: t}\nretry: {attempts: 2}\nbreaker: {open_for: 5s}\n")
            #expect(config.retry == RetryPolicy(attempts: 2))
            #expect(config.breaker == CircuitBreaker.Settings(failureThreshold: 5, openFor: .seconds(5)))
        }

        // MARK: the environment

        @Test func expandsEnvironmentVariablesAndDefaults() throws {
            let config = try Self.load(
                """
                type: smtp
                channel: email
                recipient: profile.email
                smtp:
                  host: ${SMTP_HOST}
                  port: ${SMTP_PORT:-2525}
                  from: "${FROM_NAME:-Nudge} <${FROM_ADDRESS}>"
                  username: ${SMTP_USER:-}
                  password: ${SMTP_PASSWORD:-fallback}
                  message_id_domain: ${DOMAIN:-a:-b}
                """,
                environment: ["SMTP_HOST": "relay.internal", "FROM_ADDRESS": "hi@example.com", "SMTP_PASSWORD": ""])
            guard case .smtp(let smtp) = config.kind else {
                Issue.record("expected smtp")
                return
            }
            #expect(smtp.host == "relay.internal")
            #expect(smtp.port == 2525)
            #expect(smtp.from == "Nudge <hi@example.com>")
            // Empty means "no AUTH", not a user named "".
            #expect(smtp.username == nil)
            // Set but empty: the default, as in the shell.
            #expect(smtp.password == "fallback")
            // Only the first `:-` separates the default.
            #expect(smtp.messageIdDomain == "a:-b")
        }

        @Test func anEnvironmentValueWinsOverTheDefault() throws {
            let config = try Self.load(
                "type: http\nchannel: sms\nrecipient: profile.phone\nhttp: {url: '${GW_URL:-http://127.0.0.1:18090}/v1'}\n",
                environment: ["GW_URL": "https://gw.example.com"])
            guard case .http(let http) = config.kind else { return }
            #expect(http.url == "https://gw.example.com/v1")
        }

        @Test func anUnsetVariableIsReportedByNameWhereItIsUsed() {
            let errors = Self.errors(
                """
                type: http
                channel: sms
                recipient: profile.phone
                http:
                  url: https://gw.example.com
                  headers:
                    Authorization: Bearer ${SMS_GATEWAY_TOKEN}
                """,
                environment: ["OTHER": "x"])
            #expect(
                errors == [
                    Self.error(
                        7, 20,
                        "headers.Authorization uses the environment variable SMS_GATEWAY_TOKEN, which is not set or empty"
                    )
                ])
            #expect(
                errors.first?.description
                    == "connectors/test.yaml:7:20: error: headers.Authorization uses the environment variable "
                    + "SMS_GATEWAY_TOKEN, which is not set or empty")
        }

        @Test func anErrorNeverShowsASecretsValue() {
            let errors = Self.errors(
                """
                type: http
                channel: sms
                recipient: profile.phone
                http: {url: http://x}
                callback:
                  secret: ${CALLBACK_SECRET}
                  message_id: $.ref
                  status: $.status
                  statuses: {ok: delivered}
                """,
                environment: ["CALLBACK_SECRET": "tiny-s3cr3t"])
            #expect(errors.map(\.message) == ["callback.secret must be at least 16 characters"])
            #expect(!errors.description.contains("tiny-s3cr3t"))
        }

        // MARK: unknown outcomes after a crash

        @Test func onUnknownDefaultsToHoldWhereARepeatIsNotRecognisedAndCanBeSet() throws {
            let smtp = "type: smtp\nchannel: email\nrecipient: profile.email\nsmtp: {host: h, port: 25, from: a@b.c}\n"
            #expect(try Self.load(smtp).onUnknown == .hold)
            #expect(try Self.load(smtp + "on_unknown: resend\n").onUnknown == .resend)
            let http = "type: http\nchannel: push\nrecipient: profile.token\n"
            #expect(try Self.load(http + "http: {url: http://x}\n").onUnknown == .resend)
            #expect(try Self.load(http + "http: {url: http://x, idempotency_header: ''}\n").onUnknown == .hold)
            #expect(try Self.load(http + "http: {url: http://x}\non_unknown: drop\n").onUnknown == .drop)
            #expect(try Self.load("type: kafka\nchannel: sms\nkafka: {topic: t}\n").onUnknown == .resend)
        }

        @Test func anUnknownOnUnknownIsReportedAtItsValue() {
            let errors = Self.errors("type: kafka\nchannel: sms\nkafka: {topic: t}\non_unknown: retry\n")
            #expect(errors == [Self.error(4, 13, "on_unknown must be resend, drop or hold")])
        }

        // MARK: mistakes, with where they are

        @Test func unknownFieldsAreReportedWithTheirLines() {
            let errors = Self.errors(
                """
                type: kafka
                channel: sms
                colour: red
                kafka:
                  topic: t
                  partitions: 3
                """)
            #expect(errors.map(\.line) == [3, 6])
            #expect(errors.map(\.column) == [1, 3])
            #expect(
                errors.first?.message.hasPrefix("unknown field 'colour' in the connector (known: name, type,") == true)
            #expect(errors.last?.message == "unknown field 'partitions' in kafka (known: topic)")
        }

        @Test(arguments: [
            ("timeout: 5 parsecs", "timeout: "), ("timeout: 10", "timeout: "),
            ("retry: {base_delay: fast}", "base_delay: "),
            ("breaker: {open_for: 1y}", "open_for: "), ("onsite: {ttl: ''}", "ttl: "),
        ])
        func badDurationsAreReportedWithAnExample(line: String, prefix: String) {
            let errors = Self.errors("type: onsite\nchannel: onsite\n\(line)\n")
            #expect(errors.count == 1)
            #expect(errors.first?.line == 3)
            #expect(errors.first?.message.hasPrefix(prefix) == true, "\(errors)")
            #expect(errors.first?.message.hasSuffix("(e.g. 500ms, 5s, 2m, 1h, 7d)") == true, "\(errors)")
        }

        @Test(arguments: [
            ("retry: {attempts: many}", "attempts must be a whole number"),
            ("rate_limit: {per_second: lots}", "per_second must be a number"),
            ("rate_limit: {per_second: 0}", "rate_limit.per_second must be above 0"),
            ("rate_limit: {burst: 5}", "rate_limit is missing required field 'per_second'"),
            ("fallback_only: maybe", "fallback_only must be true or false"),
            ("recipient: 'profile..email'", #"invalid path "profile..email": empty member name"#),
            ("name: [a, b]", "name must be a single value"),
            ("retry: 3", "retry must be a mapping"),
        ])
        func badValuesAreReported(line: String, message: String) {
            let errors = Self.errors("type: onsite\nchannel: onsite\n\(line)\n")
            #expect(errors.map(\.message) == [message])
            #expect(errors.first?.line == 3)
        }

        @Test func missingTypeAndChannelAreBothReported() {
            let errors = Self.errors("name: x\nrecipient: profile.email\n")
            #expect(
                errors == [
                    Self.error(1, 1, "the connector is missing required field 'type'"),
                    Self.error(1, 1, "the connector is missing required field 'channel'"),
                ])
        }

        @Test func anUnknownTypeIsReportedAtTheType() {
            let errors = Self.errors("channel: email\ntype: carrier-pigeon\n")
            #expect(
                errors == [Self.error(2, 7, "unknown connector type 'carrier-pigeon' (smtp, http, kafka or onsite)")])
        }

        @Test func aTypeWithoutItsSectionOrRecipientIsReported() {
            #expect(
                Self.errors("type: smtp\nchannel: email\n").map(\.message) == [
                    "a smtp connector needs a `smtp:` section",
                    "smtp connectors need `recipient:` (where the address is, e.g. profile.email)",
                ])
            #expect(
                Self.errors("type: kafka\nchannel: sms\n").map(\.message) == [
                    "a kafka connector needs a `kafka:` section"
                ])
            #expect(
                Self.errors(
                    "type: smtp\nchannel: email\nrecipient: profile.email\nsmtp: {host: h, port: 25, security: ssl, from: f}\n"
                )
                .map(\.message) == ["security must be none, starttls or implicit"])
        }

        @Test func everyProblemOfAFileIsReportedAtOnce() {
            let errors = Self.errors(
                """
                type: http
                channel: sms
                timeout: soon
                http:
                  url: ${URL}
                  body_format: xml
                """)
            #expect(errors.count == 4, "\(errors)")
            #expect(errors.map(\.line).sorted() == [1, 3, 5, 6])
        }

        @Test func anEmptyOrBrokenFileIsReported() {
            #expect(Self.errors("") == [Self.error(1, 1, "the file is empty")])
            let broken = Self.errors("type: [smtp\n")
            #expect(broken.count == 1)
            #expect(broken.first?.message.hasPrefix("not valid YAML") == true)
            #expect(Self.errors("- a\n- b\n").map(\.message) == ["the connector must be a mapping"])
        }

        // MARK: callbacks

        @Test func readsACallbackSection() throws {
            let config = try Self.load(
                """
                type: http
                channel: sms
                recipient: profile.phone
                http: {url: http://x}
                callback:
                  secret: ${CALLBACK_SECRET:-local-development-callback-secret}
                  signature_header: X-Signature
                  signature_prefix: "v1="
                  timestamp_header: X-Timestamp
                  tolerance: 2m
                  events: $.events
                  message_id: $.reference
                  provider_message_id: $.id
                  status: $.status
                  statuses: {delivered: message_delivered, failed: failed, undeliverable: message_bounced, stop: unsubscribed}
                  reason: $.error
                  bounce_type: $.bounce
                  url: $.link
                  event_id: $.event_id
                  timestamp: $.at
                """)
            let callback = try #require(config.callback)
            #expect(callback.secret == "local-development-callback-secret")
            #expect(callback.signatureHeader == "X-Signature")
            #expect(callback.signaturePrefix == "v1=")
            #expect(callback.timestampHeader == "X-Timestamp")
            #expect(callback.tolerance == .seconds(120))
            let mapping = callback.mapping
            #expect(mapping.events == (try JSONPath("$.events")))
            #expect(mapping.messageId == (try JSONPath("$.reference")))
            #expect(mapping.providerMessageId == (try JSONPath("$.id")))
            #expect(mapping.status == (try JSONPath("$.status")))
            #expect(
                mapping.statuses == [
                    "delivered": .delivered, "failed": .failed, "undeliverable": .bounced, "stop": .unsubscribed,
                ])
            #expect(mapping.reason == (try JSONPath("$.error")))
            #expect(mapping.bounceType == (try JSONPath("$.bounce")))
            #expect(mapping.url == (try JSONPath("$.link")))
            #expect(mapping.eventId == (try JSONPath("$.event_id")))
            #expect(mapping.timestamp == (try JSONPath("$.at")))
        }

        @Test func aCallbackGetsDefaultHeaderPrefixAndTolerance() throws {
            let config = try Self.load(
                """
                type: http
                channel: sms
                recipient: profile.phone
                http: {url: http://x}
                callback: {secret: 0123456789abcdef, provider_message_id: id, status: state, statuses: {ok: delivered}}
                """)
            let callback = try #require(config.callback)
            #expect(callback.signatureHeader == "X-Nudge-Signature")
            #expect(callback.signaturePrefix == "sha256=")
            #expect(callback.timestampHeader == nil)
            #expect(callback.tolerance == .seconds(300))
            #expect(callback.mapping.messageId == nil)
            #expect(callback.mapping.events == nil)
        }

        @Test func anUnknownFeedbackNameIsReportedWithTheKnownOnes() {
            let errors = Self.errors(
                """
                type: http
                channel: sms
                recipient: profile.phone
                http: {url: http://x}
                callback:
                  secret: 0123456789abcdef
                  message_id: $.ref
                  status: $.status
                  statuses:
                    ok: delivered
                    read: message_read
                """)
            #expect(
                errors == [
                    Self.error(
                        11, 11,
                        "unknown feedback 'message_read' (one of message_delivered, message_failed, message_opened, "
                            + "message_clicked, message_bounced, message_complained, unsubscribed)")
                ])
        }

        @Test func aCallbackWithoutAMessageReferenceIsReportedAtTheSection() {
            let errors = Self.errors(
                """
                type: http
                channel: sms
                recipient: profile.phone
                http: {url: http://x}
                callback:
                  secret: 0123456789abcdef
                  status: $.status
                  statuses: {ok: delivered}
                """)
            #expect(
                errors == [
                    Self.error(
                        6, 3, "callback needs message_id or provider_message_id (where the payload names the message)")
                ])
        }

        @Test func badPathsAndUnknownFieldsOfACallbackAreReported() {
            let errors = Self.errors(
                """
                type: http
                channel: sms
                recipient: profile.phone
                http: {url: http://x}
                callback:
                  secret: 0123456789abcdef
                  message_id: $.ref
                  status: $.events[x]
                  statuses: {ok: delivered}
                  surprise: 1
                """)
            #expect(errors.map(\.line).sorted() == [8, 10])
            #expect(
                errors.contains {
                    $0.message == #"status: invalid path "$.events[x]": expected [<non-negative integer>]"#
                })
            #expect(errors.contains { $0.message.hasPrefix("unknown field 'surprise' in callback") })
        }
    }
}

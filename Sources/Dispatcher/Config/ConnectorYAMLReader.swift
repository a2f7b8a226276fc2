import EngineCore
import Feedback
import Yams

/// Reads one connector file's YAML, collecting every problem with its line and column.
final class ConnectorYAMLReader {
    let file: String
    let environment: [String: String]
    private(set) var errors: [ConnectorConfigError] = []

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    func connector(_ root: Node, defaultName: String) -> ConnectorConfig? {
        let fields = mapping(
            root, "the connector",
            allowed: [
                "name", "type", "channel", "fallback_only", "fallback", "recipient", "timeout", "rate_limit", "retry",
                "breaker", "callback", "on_unknown", "smtp", "http", "kafka", "onsite",
            ], required: ["type", "channel"])
        guard let fields else { return nil }
        let name = fields["name"].flatMap { string($0, "name") } ?? defaultName
        guard let typeNode = fields["type"], let type = string(typeNode, "type"),
            let channel = fields["channel"].flatMap({ string($0, "channel") })
        else { return nil }

        let kind: ConnectorConfig.Kind?
        switch type {
        case "smtp": kind = section(fields, "smtp", typeNode).flatMap(smtp)
        case "http": kind = section(fields, "http", typeNode).flatMap(http)
        case "kafka": kind = section(fields, "kafka", typeNode).flatMap(kafka)
        case "onsite": kind = .onsite(fields["onsite"].map(onsite) ?? OnsiteSettings())
        default:
            report(typeNode, "unknown connector type '\(type)' (smtp, http, kafka or onsite)")
            kind = nil
        }
        var config = ConnectorConfig(name: name, channel: channel, kind: kind ?? .onsite(OnsiteSettings()))
        config.fallbackOnly = fields["fallback_only"].flatMap { bool($0, "fallback_only") } ?? false
        config.fallback = fields["fallback"].flatMap { string($0, "fallback") }
        config.recipient = fields["recipient"].flatMap { string($0, "recipient") }
        if let node = fields["recipient"], let path = config.recipient {
            do { _ = try JSONPath(path) } catch { report(node, "\(error)") }
        }
        if config.recipient == nil, type == "smtp" || type == "http" {
            report(root, "\(type) connectors need `recipient:` (where the address is, e.g. profile.email)")
        }
        if let node = fields["timeout"], let timeout = duration(node, "timeout") { config.timeout = timeout }
        if let node = fields["rate_limit"] { config.rateLimit = rateLimit(node) }
        if let node = fields["retry"] { config.retry = retry(node) }
        if let node = fields["breaker"] { config.breaker = breaker(node) }
        if let node = fields["callback"] { config.callback = callback(node) }
        config.onUnknown = ConnectorConfig.defaultOnUnknown(config.kind)
        if let node = fields["on_unknown"], let text = string(node, "on_unknown") {
            if let policy = ConnectorConfig.OnUnknown(rawValue: text) {
                config.onUnknown = policy
            } else {
                report(node, "on_unknown must be resend, drop or hold")
            }
        }
        return kind == nil ? nil : config
    }

    // MARK: sections

    private func smtp(_ node: Node) -> ConnectorConfig.Kind? {
        guard
            let fields = mapping(
                node, "smtp",
                allowed: [
                    "host", "port", "security", "require_tls", "username", "password", "ca_file", "from", "reply_to",
                    "message_id_domain", "track_opens", "track_clicks", "bounce_maildir",
                ], required: ["host", "port", "from"]),
            let host = fields["host"].flatMap({ string($0, "host") }),
            let port = fields["port"].flatMap({ int($0, "port") }),
            let from = fields["from"].flatMap({ string($0, "from") })
        else { return nil }
        var settings = SMTPSettings(host: host, port: port, from: from)
        if let node = fields["security"], let text = string(node, "security") {
            if let security = SMTPSettings.Security(rawValue: text) {
                settings.security = security
            } else {
                report(node, "security must be none, starttls or implicit")
            }
        }
        settings.requireTLS = fields["require_tls"].flatMap { bool($0, "require_tls") } ?? true
        // `${SMTP_USER:-}` leaves these empty: no AUTH then.
        settings.username = fields["username"].flatMap { string($0, "username") }.flatMap { $0.isEmpty ? nil : $0 }
        settings.password = fields["password"].flatMap { string($0, "password") }.flatMap { $0.isEmpty ? nil : $0 }
        settings.caFile = fields["ca_file"].flatMap { string($0, "ca_file") }
        settings.replyTo = fields["reply_to"].flatMap { string($0, "reply_to") }
        settings.messageIdDomain =
            fields["message_id_domain"].flatMap { string($0, "message_id_domain") } ?? "nudge.local"
        settings.trackOpens = fields["track_opens"].flatMap { bool($0, "track_opens") } ?? true
        settings.trackClicks = fields["track_clicks"].flatMap { bool($0, "track_clicks") } ?? true
        // `${SMTP_BOUNCE_MAILDIR:-}` leaves it empty: bounce reports are not read then.
        settings.bounceMaildir = fields["bounce_maildir"].flatMap { string($0, "bounce_maildir") }
            .flatMap { $0.isEmpty ? nil : $0 }
        return .smtp(settings)
    }

    private func http(_ node: Node) -> ConnectorConfig.Kind? {
        guard
            let fields = mapping(
                node, "http",
                allowed: ["method", "url", "headers", "body", "body_format", "idempotency_header", "response"],
                required: ["url"]),
            let url = fields["url"].flatMap({ string($0, "url") })
        else { return nil }
        var settings = HTTPSettings(url: url)
        if let node = fields["method"], let method = string(node, "method") { settings.method = method.uppercased() }
        if let node = fields["headers"] {
            settings.headers = namedEntries(node, "headers").compactMap { entry in
                string(entry.value, "headers.\(entry.key)").map { (entry.key, $0) }
            }
        }
        settings.body = fields["body"].flatMap { string($0, "body") }
        if let node = fields["body_format"], let text = string(node, "body_format") {
            if let format = HTTPSettings.BodyFormat(rawValue: text) {
                settings.bodyFormat = format
            } else {
                report(node, "body_format must be json, form or text")
            }
        }
        if let node = fields["idempotency_header"] {
            let header = string(node, "idempotency_header")
            settings.idempotencyHeader = header?.isEmpty == true ? nil : header
        }
        if let node = fields["response"], let response = mapping(node, "response", allowed: ["message_id"]) {
            settings.responseMessageId = response["message_id"].flatMap { path($0, "response.message_id") }
        }
        return .http(settings)
    }

    private func kafka(_ node: Node) -> ConnectorConfig.Kind? {
        guard let fields = mapping(node, "kafka", allowed: ["topic"], required: ["topic"]),
            let topic = fields["topic"].flatMap({ string($0, "topic") })
        else { return nil }
        return .kafka(KafkaHandOffSettings(topic: topic))
    }

    private func onsite(_ node: Node) -> OnsiteSettings {
        guard let fields = mapping(node, "onsite", allowed: ["slot", "ttl"]) else { return OnsiteSettings() }
        return OnsiteSettings(
            slot: fields["slot"].flatMap { string($0, "slot") }, ttl: fields["ttl"].flatMap { span($0, "ttl") })
    }

    private func rateLimit(_ node: Node) -> ProviderRateLimiter.Limit? {
        guard let fields = mapping(node, "rate_limit", allowed: ["per_second", "burst"], required: ["per_second"]),
            let perSecond = fields["per_second"].flatMap({ double($0, "per_second") })
        else { return nil }
        guard perSecond > 0 else {
            report(node, "rate_limit.per_second must be above 0")
            return nil
        }
        return ProviderRateLimiter.Limit(
            perSecond: perSecond, burst: fields["burst"].flatMap { int($0, "burst") } ?? max(1, Int(perSecond / 10)))
    }

    private func retry(_ node: Node) -> RetryPolicy {
        guard let fields = mapping(node, "retry", allowed: ["attempts", "base_delay", "max_delay"]) else {
            return RetryPolicy()
        }
        let defaults = RetryPolicy()
        return RetryPolicy(
            attempts: fields["attempts"].flatMap { int($0, "attempts") } ?? defaults.attempts,
            baseDelay: fields["base_delay"].flatMap { duration($0, "base_delay") } ?? defaults.baseDelay,
            maxDelay: fields["max_delay"].flatMap { duration($0, "max_delay") } ?? defaults.maxDelay)
    }

    private func breaker(_ node: Node) -> CircuitBreaker.Settings {
        let defaults = CircuitBreaker.Settings()
        guard let fields = mapping(node, "breaker", allowed: ["failures", "open_for"]) else { return defaults }
        return CircuitBreaker.Settings(
            failureThreshold: fields["failures"].flatMap { int($0, "failures") } ?? defaults.failureThreshold,
            openFor: fields["open_for"].flatMap { duration($0, "open_for") } ?? defaults.openFor)
    }

    private func callback(_ node: Node) -> CallbackConfig? {
        guard
            let fields = mapping(
                node, "callback",
                allowed: [
                    "secret", "signature_header", "signature_prefix", "timestamp_header", "tolerance", "events",
                    "message_id", "provider_message_id", "status", "statuses", "reason", "bounce_type", "url",
                    "event_id",
                    "timestamp",
                ], required: ["secret", "status", "statuses"]),
            let secret = fields["secret"].flatMap({ string($0, "secret") }),
            let status = fields["status"].flatMap({ path($0, "status") }), let statusesNode = fields["statuses"]
        else { return nil }
        if fields["message_id"] == nil && fields["provider_message_id"] == nil {
            report(node, "callback needs message_id or provider_message_id (where the payload names the message)")
        }
        if secret.count < 16 { report(node, "callback.secret must be at least 16 characters") }
        var statuses: [String: DeliveryFeedback.Status] = [:]
        for entry in namedEntries(statusesNode, "statuses") {
            guard let text = string(entry.value, "statuses.\(entry.key)") else { continue }
            let normalized = text.hasPrefix("message_") ? String(text.dropFirst("message_".count)) : text
            guard let status = DeliveryFeedback.Status(rawValue: normalized) else {
                let known = DeliveryFeedback.Status.allCases.map {
                    $0 == .unsubscribed ? "unsubscribed" : "message_\($0.rawValue)"
                }
                report(entry.value, "unknown feedback '\(text)' (one of \(known.joined(separator: ", ")))")
                continue
            }
            statuses[entry.key] = status
        }
        let mapping = CallbackMapping(
            events: fields["events"].flatMap { path($0, "events") },
            messageId: fields["message_id"].flatMap { path($0, "message_id") },
            providerMessageId: fields["provider_message_id"].flatMap { path($0, "provider_message_id") },
            status: status, statuses: statuses, reason: fields["reason"].flatMap { path($0, "reason") },
            bounceType: fields["bounce_type"].flatMap { path($0, "bounce_type") },
            url: fields["url"].flatMap { path($0, "url") },
            eventId: fields["event_id"].flatMap { path($0, "event_id") },
            timestamp: fields["timestamp"].flatMap { path($0, "timestamp") })
        return CallbackConfig(
            secret: secret,
            signatureHeader: fields["signature_header"].flatMap { string($0, "signature_header") }
                ?? "X-Nudge-Signature",
            signaturePrefix: fields["signature_prefix"].flatMap { string($0, "signature_prefix") } ?? "sha256=",
            timestampHeader: fields["timestamp_header"].flatMap { string($0, "timestamp_header") },
            tolerance: fields["tolerance"].flatMap { duration($0, "tolerance") } ?? .seconds(300), mapping: mapping)
    }

    // MARK: scalars

    private func report(_ node: Node, _ message: String) {
        errors.append(
            ConnectorConfigError(
                file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, message: message))
    }

    private func mapping(_ node: Node, _ what: String, allowed: [String], required: [String] = []) -> [String: Node]? {
        guard case .mapping(let mapping) = node else {
            report(node, "\(what) must be a mapping")
            return nil
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                report(key, "keys of \(what) must be plain names")
                continue
            }
            if !allowed.contains(name) {
                report(key, "unknown field '\(name)' in \(what) (known: \(allowed.joined(separator: ", ")))")
            }
            fields[name] = value
        }
        for name in required where fields[name] == nil {
            report(node, "\(what) is missing required field '\(name)'")
        }
        return fields
    }

    private func namedEntries(_ node: Node, _ what: String) -> [(key: String, value: Node)] {
        guard case .mapping(let mapping) = node else {
            report(node, "\(what) must be a mapping")
            return []
        }
        return mapping.compactMap { key, value in key.scalar.map { ($0.string, value) } }
    }

    private func section(_ fields: [String: Node], _ name: String, _ typeNode: Node) -> Node? {
        guard let node = fields[name] else {
            report(typeNode, "a \(name) connector needs a `\(name):` section")
            return nil
        }
        return node
    }

    /// A scalar with `${NAME}` (or `${NAME:-default}`) replaced from the environment.
    private func string(_ node: Node, _ field: String) -> String? {
        guard let scalar = node.scalar else {
            report(node, "\(field) must be a single value")
            return nil
        }
        var text = scalar.string
        var output = ""
        while let start = text.range(of: "${") {
            guard let end = text[start.upperBound...].firstIndex(of: "}") else { break }
            let reference = text[start.upperBound..<end]
            // `${NAME:-default}`: the default when NAME is unset or empty.
            let parts = reference.split(separator: ":-", maxSplits: 1, omittingEmptySubsequences: false)
            let variable = String(parts[0])
            output += text[..<start.lowerBound]
            if let value = environment[variable], !value.isEmpty {
                output += value
            } else if parts.count == 2 {
                output += parts[1]
            } else {
                report(node, "\(field) uses the environment variable \(variable), which is not set or empty")
            }
            text = String(text[text.index(after: end)...])
        }
        return output + text
    }

    private func int(_ node: Node, _ field: String) -> Int? {
        guard let text = string(node, field), let value = Int(text) else {
            report(node, "\(field) must be a whole number")
            return nil
        }
        return value
    }

    private func double(_ node: Node, _ field: String) -> Double? {
        guard let text = string(node, field), let value = Double(text) else {
            report(node, "\(field) must be a number")
            return nil
        }
        return value
    }

    private func bool(_ node: Node, _ field: String) -> Bool? {
        guard let text = string(node, field) else { return nil }
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(node, "\(field) must be true or false")
            return nil
        }
    }

    private func span(_ node: Node, _ field: String) -> TimeSpan? {
        guard let text = string(node, field) else { return nil }
        switch TimeSpan.parse(text) {
        case .success(let span): return span
        case .failure(let error):
            report(node, "\(field): \(error.reason) (e.g. 500ms, 5s, 2m, 1h, 7d)")
            return nil
        }
    }

    private func duration(_ node: Node, _ field: String) -> Duration? {
        span(node, field).map { .milliseconds($0.milliseconds) }
    }

    private func path(_ node: Node, _ field: String) -> JSONPath? {
        guard let text = string(node, field) else { return nil }
        do {
            return try JSONPath(text)
        } catch {
            report(node, "\(field): \(error)")
            return nil
        }
    }
}

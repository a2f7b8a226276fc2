import EngineCore
import Foundation
import Hummingbird

/// An RFC 9457 problem: every error the API answers is one of these, as `application/problem+json`.
/// `type` is a stable URN per kind of problem (clients branch on it); `detail` says what exactly
/// was wrong, for people. Thrown from handlers and middleware; Hummingbird renders it.
public struct ProblemDetails: Error, HTTPResponseError, Sendable, Equatable, Codable, CustomStringConvertible {
    public var type: String
    public var title: String
    public var status: HTTPResponse.Status
    public var detail: String
    /// Per-item failures of a batch (which events failed and why).
    public var errors: [ItemError]?
    /// What is wrong in a scenario file, each with its line and column.
    public var scenarioErrors: [ScenarioError]?
    /// Who holds the edit lock that refused the request (`locked` problems).
    public var lock: LockHolder?

    /// One failed item of a batch request.
    public struct ItemError: Sendable, Equatable, Codable {
        public var index: Int
        public var code: String
        public var detail: String

        public init(index: Int, code: String, detail: String) {
            self.index = index
            self.code = code
            self.detail = detail
        }
    }

    /// One problem in a scenario file, as `ScenarioLoader` reports it.
    public struct ScenarioError: Sendable, Equatable, Codable {
        public var line: Int
        public var column: Int
        /// The kind of error (`unknown-step`, `yaml-syntax`, ...).
        public var code: String
        public var message: String

        public init(line: Int, column: Int, code: String, message: String) {
            self.line = line
            self.column = column
            self.code = code
            self.message = message
        }
    }

    /// The holder of a scenario's edit lock and when the lock ends.
    public struct LockHolder: Sendable, Equatable, Codable {
        public var holder: String
        public var expiresAt: Date

        public init(holder: String, expiresAt: Date) {
            self.holder = holder
            self.expiresAt = expiresAt
        }

        enum CodingKeys: String, CodingKey {
            case holder
            case expiresAt = "expires_at"
        }

        // ISO-8601 text whatever the coder's date strategy, like the rest of the API's dates.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            holder = try container.decode(String.self, forKey: .holder)
            let text = try container.decode(String.self, forKey: .expiresAt)
            guard let instant = ISO8601.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .expiresAt, in: container, debugDescription: "not an ISO-8601 date-time: \(text)")
            }
            expiresAt = Date(timeIntervalSince1970: Double(instant.milliseconds) / 1000)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(holder, forKey: .holder)
            let milliseconds = Int64((expiresAt.timeIntervalSince1970 * 1000).rounded())
            try container.encode(ISO8601.format(Timestamp(milliseconds: milliseconds)), forKey: .expiresAt)
        }
    }

    public init(
        kind: Kind, detail: String, errors: [ItemError]? = nil, scenarioErrors: [ScenarioError]? = nil,
        lock: LockHolder? = nil
    ) {
        self.type = "urn:nudge:problem:\(kind.slug)"
        self.title = kind.title
        self.status = kind.status
        self.detail = detail
        self.errors = errors
        self.scenarioErrors = scenarioErrors
        self.lock = lock
    }

    /// The kinds of problem, each with its HTTP status and a fixed title.
    public struct Kind: Sendable {
        public var slug: String
        public var title: String
        public var status: HTTPResponse.Status

        public static let invalidJSON = Kind(slug: "invalid-json", title: "Body is not valid JSON", status: .badRequest)
        public static let invalidEvent = Kind(
            slug: "invalid-event", title: "Event does not follow the Segment spec", status: .badRequest)
        public static let invalidRequest = Kind(slug: "invalid-request", title: "Invalid request", status: .badRequest)
        public static let batchTooLarge = Kind(
            slug: "batch-too-large", title: "Batch has too many events", status: .badRequest)
        public static let bodyTooLarge = Kind(
            slug: "body-too-large", title: "Request body is too large", status: .contentTooLarge)
        public static let unauthorized = Kind(
            slug: "unauthorized", title: "Missing or invalid credentials", status: .unauthorized)
        public static let forbidden = Kind(slug: "forbidden", title: "Not allowed", status: .forbidden)
        public static let notFound = Kind(slug: "not-found", title: "Not found", status: .notFound)
        public static let unavailable = Kind(
            slug: "unavailable", title: "A dependency is unavailable", status: .serviceUnavailable)
        public static let invalidScenario = Kind(
            slug: "invalid-scenario", title: "Scenario is not valid", status: .unprocessableContent)
        public static let versionConflict = Kind(
            slug: "version-conflict", title: "Version conflicts with a deployed one", status: .conflict)
        public static let nameInUse = Kind(slug: "name-in-use", title: "Name is already in use", status: .conflict)
        public static let staleVersion = Kind(
            slug: "stale-version", title: "Based on a version that is no longer the latest", status: .conflict)
        public static let notHeld = Kind(slug: "not-held", title: "Message is not held", status: .conflict)
        public static let locked = Kind(
            slug: "locked", title: "Scenario is locked by another editor",
            status: HTTPResponse.Status(code: 423, reasonPhrase: "Locked"))
    }

    public var description: String { "\(status.code) \(title): \(detail)" }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors, lock
        case scenarioErrors = "scenario_errors"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        title = try container.decode(String.self, forKey: .title)
        status = HTTPResponse.Status(code: try container.decode(Int.self, forKey: .status))
        detail = try container.decode(String.self, forKey: .detail)
        errors = try container.decodeIfPresent([ItemError].self, forKey: .errors)
        scenarioErrors = try container.decodeIfPresent([ScenarioError].self, forKey: .scenarioErrors)
        lock = try container.decodeIfPresent(LockHolder.self, forKey: .lock)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(status.code, forKey: .status)
        try container.encode(detail, forKey: .detail)
        try container.encodeIfPresent(errors, forKey: .errors)
        try container.encodeIfPresent(scenarioErrors, forKey: .scenarioErrors)
        try container.encodeIfPresent(lock, forKey: .lock)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized {
            // Basic for write keys (Segment clients), Bearer for API keys.
            headers[.wwwAuthenticate] = request.uri.path.hasPrefix("/v1/admin") ? "Bearer" : "Basic realm=\"nudge\""
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: encoded)))
    }

    var encoded: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data(#"{"title":"Internal error","status":500}"#.utf8)
    }
}

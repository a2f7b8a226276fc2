import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A test-owned HTTP gateway standing in for an SMS or push provider: records every request,
/// answers as the test decides (by default 200 with an id, the same id for a repeated
/// `Idempotency-Key`, as real gateways do), and can act after answering (post a callback).
public final class TestGateway: Sendable {
    public struct Request: Sendable {
        public var path: String
        public var idempotencyKey: String?
        public var authorization: String?
        public var body: [String: String]
        /// 1 for the first request with this idempotency key, 2 for its first repeat, ...
        public var attempt: Int
    }

    public struct Answer: Sendable {
        public var status: HTTPResponse.Status
        public var id: String?

        public init(status: HTTPResponse.Status, id: String? = nil) {
            self.status = status
            self.id = id
        }
    }

    private struct State {
        var requests: [Request] = []
        var attempts: [String: Int] = [:]
        var ids: [String: String] = [:]
        var port: Int?
    }

    private let state = Mutex(State())
    private let decide: @Sendable (Request) -> Answer?
    private let afterAccept: @Sendable (Request, String) async -> Void

    /// `decide` may override the answer (nil: accept); `afterAccept` runs after an accepted
    /// request was answered, with the id given.
    public init(
        decide: @escaping @Sendable (Request) -> Answer? = { _ in nil },
        afterAccept: @escaping @Sendable (Request, String) async -> Void = { _, _ in }
    ) {
        self.decide = decide
        self.afterAccept = afterAccept
    }

    public var requests: [Request] { state.withLock { $0.requests } }
    public var port: Int? { state.withLock { $0.port } }
    public var baseURL: String { "http://127.0.0.1:\(port ?? 0)" }

    /// Runs the gateway until `body` returns.
    public func run<T: Sendable>(_ body: @Sendable (TestGateway) async throws -> T) async throws -> T {
        let router = Router()
        router.post("{path}/{rest}") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
            let fields = json.compactMapValues { value -> String? in
                if let text = value as? String { return text }
                return "\(value)"
            }
            let key = HTTPField.Name("Idempotency-Key").flatMap { request.headers[$0] }
            let path = request.uri.path
            let attempt = self.state.withLock { state -> Int in
                let id = key ?? UUID().uuidString
                state.attempts[id, default: 0] += 1
                return state.attempts[id] ?? 1
            }
            let recorded = Request(
                path: path, idempotencyKey: key, authorization: request.headers[.authorization], body: fields,
                attempt: attempt)
            self.state.withLock { $0.requests.append(recorded) }
            if let answer = self.decide(recorded), answer.status.code >= 300 {
                return Response(status: answer.status, body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"test\"}")))
            }
            let id = self.state.withLock { state -> String in
                if let key, let existing = state.ids[key] { return existing }
                let id = "gw-\(state.ids.count + 1)-\(UUID().uuidString.prefix(6))"
                if let key { state.ids[key] = id }
                return id
            }
            let answerBody = ByteBuffer(string: "{\"id\":\"\(id)\",\"status\":\"accepted\"}")
            Task { await self.afterAccept(recorded, id) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: answerBody))
        }
        var logger = Logger(label: "nudge.tests.gateway")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.state.withLock { $0.port = channel.localAddress?.port } }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            defer { group.cancelAll() }
            let deadline = ContinuousClock.now + .seconds(10)
            while port == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            return try await body(self)
        }
    }
}

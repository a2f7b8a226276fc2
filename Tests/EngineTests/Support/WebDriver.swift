import AsyncHTTPClient
import EngineCore
import Foundation
import NIOCore
import NIOHTTP1
import NudgeTestSupport

/// A headless Chromium driven through chromedriver's W3C WebDriver HTTP API (Debian's chromium
/// and chromium-driver, installed by scripts/install-deps.sh). Missing binaries fail the test.
final class WebDriver: @unchecked Sendable {
    let driver = Process()
    let base: String
    private(set) var session = ""
    private let logFile: URL

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    struct Element: Sendable {
        let id: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func executable(_ name: String) throws -> URL {
        for directory in ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"] {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw Failure(description: "\(name) not found: run scripts/install-deps.sh (Debian chromium, chromium-driver)")
    }

    /// Starts chromedriver and opens a headless Chromium session of `width` x `height`.
    init(width: Int = 1280, height: Int = 900) async throws {
        let port = try FreePort.find()
        base = "http://127.0.0.1:\(port)"
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("chromedriver-\(port).log")
        driver.executableURL = try Self.executable("chromedriver")
        driver.arguments = ["--port=\(port)", "--log-path=\(logFile.path)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while (try? await call(.GET, "/status"))?[member: "ready"] != true {
            guard ContinuousClock.now < deadline, driver.isRunning else {
                throw Failure(description: "chromedriver did not get ready; log: \(log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let chromium = try Self.executable("chromium").path
        let capabilities: Value = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": .string(chromium),
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--no-first-run", .string("--window-size=\(width),\(height)"),
                        ],
                    ],
                ]
            ]
        ]
        let created = try await call(.POST, "/session", capabilities)
        guard case .string(let id) = created[member: "sessionId"] else {
            throw Failure(description: "no WebDriver session: \(created)")
        }
        session = id
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Ends the session and chromedriver. chromedriver ignores SIGTERM, so it is asked to shut
    /// down and killed when it has not within 5 seconds (a blocking wait would hang the run).
    func quit() async {
        if !session.isEmpty { _ = try? await call(.DELETE, "/session/\(session)") }
        _ = try? await call(.GET, "/shutdown")
        let deadline = ContinuousClock.now + .seconds(5)
        while driver.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
        driver.waitUntilExit()
    }

    func open(_ url: String) async throws { _ = try await command(.POST, "url", ["url": .string(url)]) }

    func currentURL() async throws -> String {
        guard case .string(let url) = try await command(.GET, "url") else { throw Failure(description: "no URL") }
        return url
    }

    func resize(width: Int, height: Int) async throws {
        _ = try await command(.POST, "window/rect", ["width": .int(Int64(width)), "height": .int(Int64(height))])
    }

    func find(_ css: String) async throws -> Element {
        let found = try await command(.POST, "element", ["using": "css selector", "value": .string(css)])
        guard case .string(let id) = found[member: Self.elementKey] else {
            throw Failure(description: "no element \(css): \(found)")
        }
        return Element(id: id)
    }

    func click(_ css: String) async throws {
        let element = try await find(css)
        _ = try await command(.POST, "element/\(element.id)/click", [:])
    }

    func type(_ css: String, _ text: String, clearing: Bool = true) async throws {
        let element = try await find(css)
        if clearing { _ = try await command(.POST, "element/\(element.id)/clear", [:]) }
        _ = try await command(.POST, "element/\(element.id)/value", ["text": .string(text)])
    }

    /// `textContent` of the first element matching `css`, nil when there is none.
    func text(_ css: String) async throws -> String? {
        let value = try await script(
            "var e = document.querySelector(arguments[0]); return e ? e.textContent : null;", [.string(css)])
        if case .string(let text) = value { return text }
        return nil
    }

    func script(_ source: String, _ arguments: [Value] = []) async throws -> Value {
        try await command(.POST, "execute/sync", ["script": .string(source), "args": .list(arguments)])
    }

    /// An asynchronous script: it ends by calling its last argument with the result.
    func asyncScript(_ source: String, _ arguments: [Value] = []) async throws -> Value {
        try await command(.POST, "execute/async", ["script": .string(source), "args": .list(arguments)])
    }

    func screenshot(to url: URL) async throws {
        guard case .string(let base64) = try await command(.GET, "screenshot"), let data = Data(base64Encoded: base64)
        else { throw Failure(description: "no screenshot") }
        try data.write(to: url)
    }

    /// Waits until `condition` holds, checking every 200 ms; fails with `what` after `timeout`.
    func eventually(
        _ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "timed out waiting for \(what) at \(try await currentURL())")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private func command(_ method: HTTPMethod, _ path: String, _ body: Value? = nil) async throws -> Value {
        try await call(method, "/session/\(session)/\(path)", body)
    }

    private func call(_ method: HTTPMethod, _ path: String, _ body: Value? = nil) async throws -> Value {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 32 << 20)
        let reply = (try? JSONDecoder().decode(Value.self, from: Data(bytes.readableBytesView))) ?? .null
        guard response.status.code < 300 else {
            throw Failure(description: "WebDriver \(method) \(path): \(response.status) \(reply[member: "value"])")
        }
        return reply[member: "value"]
    }
}

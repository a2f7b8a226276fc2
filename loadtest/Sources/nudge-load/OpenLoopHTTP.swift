import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A constant-rate HTTP/1.1 GET generator that corrects for coordinated omission: request `i`
/// is due at `start + i / rate` whatever happened before, and its latency is measured from that
/// due time, not from when a busy connection got round to sending it. A server that stalls for
/// 100 ms therefore shows 100 ms of queueing in every request due meanwhile, as a user would see
/// it, where a closed-loop tool (wrk, ab) would simply send fewer requests and report none.
///
/// Requests are spread round-robin over `connections` keep-alive connections, one thread each,
/// blocking sockets with TCP_NODELAY; the service time (send to last byte) is reported beside.
struct OpenLoopHTTP {
    struct Result {
        var corrected: [Double] = []
        var service: [Double] = []
        var statuses: [Int: Int] = [:]
        var failures = 0
        var late = 0
    }

    let port: UInt16
    let rate: Double
    let seconds: Double
    let connections: Int
    /// The request line's target for request number `i` (path and query).
    let target: @Sendable (Int) -> String
    let headers: [(String, String)]

    func run() throws -> (result: Result, elapsed: Double) {
        let total = Int(rate * seconds)
        let interval = 1.0 / rate
        let start = monotonic() + 0.2
        let results = ResultsBox(count: connections)
        var threads: [Thread] = []
        let done = DispatchGroup()
        for lane in 0..<connections {
            let socket = try HTTPConnection(port: port)
            done.enter()
            let thread = Thread { [target, headers] in
                var local = Result()
                var connection = socket
                var index = lane
                while index < total {
                    let due = start + Double(index) * interval
                    let now = monotonic()
                    if due > now {
                        sleep(seconds: due - now)
                    } else if now - due > interval * Double(connections) {
                        local.late += 1
                    }
                    let sent = monotonic()
                    do {
                        let status = try connection.get(target(index), headers: headers)
                        let end = monotonic()
                        local.corrected.append((end - due) * 1000)
                        local.service.append((end - sent) * 1000)
                        local.statuses[status, default: 0] += 1
                    } catch {
                        local.failures += 1
                        // A broken connection is replaced; its request counts as failed.
                        if let fresh = try? HTTPConnection(port: port) { connection = fresh }
                    }
                    index += connections
                }
                connection.close()
                results.store(local, at: lane)
                done.leave()
            }
            thread.stackSize = 1 << 20
            threads.append(thread)
        }
        for thread in threads { thread.start() }
        done.wait()
        let elapsed = monotonic() - start
        var merged = Result()
        for part in results.all {
            merged.corrected += part.corrected
            merged.service += part.service
            merged.failures += part.failures
            merged.late += part.late
            merged.statuses.merge(part.statuses, uniquingKeysWith: +)
        }
        return (merged, elapsed)
    }

    private func sleep(seconds: Double) {
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}

/// Per-thread results, each slot written once by its own thread before the group is left.
private final class ResultsBox: @unchecked Sendable {
    private var slots: [OpenLoopHTTP.Result]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: OpenLoopHTTP.Result(), count: count) }

    func store(_ result: OpenLoopHTTP.Result, at index: Int) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    var all: [OpenLoopHTTP.Result] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

/// One keep-alive HTTP/1.1 connection to 127.0.0.1 with a blocking socket. Reads responses
/// framed by Content-Length (what the Nudge API sends); anything else is an error.
struct HTTPConnection: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoadError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw LoadError("connect 127.0.0.1:\(port): \(reason)")
        }
    }

    func close() { Glibc.close(fd) }

    /// Sends a GET and reads its whole response; returns the status code.
    mutating func get(_ target: String, headers: [(String, String)]) throws -> Int {
        var request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw LoadError("send: \(String(cString: strerror(errno)))") }
            written += n
        }
        let headerEnd = try readUntilHeaderEnd()
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
            let status = Int(statusLine.dropFirst(9).prefix(3))
        else { throw LoadError("bad status line") }
        guard
            let lengthLine = lines.first(where: { $0.lowercased().hasPrefix("content-length:") }),
            let length = Int(lengthLine.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { throw LoadError("response without Content-Length") }
        let end = headerEnd + 4 + length
        while buffer.count < end { try fill() }
        buffer.removeFirst(end)
        return status
    }

    private mutating func readUntilHeaderEnd() throws -> Int {
        var searched = 0
        while true {
            if buffer.count >= 4 {
                var index = max(0, searched - 3)
                while index + 3 < buffer.count {
                    if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                        return index
                    }
                    index += 1
                }
                searched = buffer.count
            }
            try fill()
        }
    }

    private mutating func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw LoadError(n == 0 ? "connection closed" : "recv: \(String(cString: strerror(errno)))") }
        buffer.append(contentsOf: chunk[..<n])
    }
}

import CLoadKafka
import Foundation

// nudge-load: the load generator and the measuring probes of loadtest/run.sh. Each command prints
// one JSON object on stdout; progress goes to stderr. Every loop is bounded in count and in time.
//
//   produce   --topic T --count N [--rate R] [--mix realistic|timers|profiles|signups|drafts]
//             [--customers 1000000] [--zipf 1.0] [--seed S] [--first-customer K] [--due-start-ms MS]
//             [--due-spread-ms MS] [--span-ms MS (drafts: event-time span of the stream, 7 days)]
//             [--progress-file F (sent/delivered so far, rewritten every second)]
//   consume   --topic T --count N                      consume-only ceiling of a plain consumer
//   wait-lag  --topic T --group G --total N            until group G has committed N records of T
//   latency   --topic T --outbound O --rate R --seconds S   event timestamp -> outbound record
//   timers    --outbound O --count N                    due time -> fired message (timer lateness)
//   offsets   --topics A,B [--group G --group-topic T]  end offsets summed per topic (and G's committed on T)
//   content   --port P [--rate R --seconds S --connections C --customers N --site-key K --slots A,B --path P]
//             open-loop GET /v1/content, latency corrected for coordinated omission
// Common: --brokers 127.0.0.1:19092 --max-seconds S (hard bound on the command's run time).

struct Options {
    private var values: [String: String] = [:]
    let command: String

    init(_ arguments: [String]) throws {
        guard arguments.count >= 2 else { throw LoadError("usage: nudge-load COMMAND [--option value ...]") }
        command = arguments[1]
        var index = 2
        while index < arguments.count {
            let name = arguments[index]
            guard name.hasPrefix("--"), index + 1 < arguments.count else { throw LoadError("bad argument \(name)") }
            values[String(name.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
    }

    func string(_ name: String, _ fallback: String? = nil) throws -> String {
        guard let value = values[name] ?? fallback else { throw LoadError("--\(name) is required") }
        return value
    }
    func int(_ name: String, _ fallback: Int? = nil) throws -> Int {
        guard let value = try Int(string(name, fallback.map(String.init))) else {
            throw LoadError("--\(name): integer")
        }
        return value
    }
    func double(_ name: String, _ fallback: Double) throws -> Double {
        guard let value = try Double(string(name, String(fallback))) else { throw LoadError("--\(name): number") }
        return value
    }
}

func nowMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}

func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("[nudge-load] \(message)\n".utf8))
}

func emit(_ object: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Nearest-rank percentiles (milliseconds) of a sample.
func percentiles(_ samples: [Double]) -> [String: Any] {
    guard !samples.isEmpty else { return ["count": 0] }
    let sorted = samples.sorted()
    func p(_ q: Double) -> Double {
        let rank = max(0, min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1))
        return (sorted[rank] * 1000).rounded() / 1000
    }
    return [
        "count": sorted.count, "p50_ms": p(0.50), "p95_ms": p(0.95), "p99_ms": p(0.99), "p999_ms": p(0.999),
        "max_ms": p(1.0),
        "min_ms": p(0.0),
    ]
}

/// Produces with pacing: at `rate` events/s when given (0: as fast as possible).
func produce(_ o: Options, producer: LoadProducer, topic: String, count: Int, rate: Double, maxSeconds: Double)
    throws -> [String: Any]
{
    let mix = StreamMix(rawValue: try o.string("mix", "realistic")) ?? .realistic
    var generator = EventGenerator(
        mix: mix, customers: try o.int("customers", 1_000_000), zipfExponent: try o.double("zipf", 1.0),
        seed: UInt64(try o.int("seed", 42)), runTag: try o.string("run-tag", "lt\(nowMicros() % 1_000_000_000)"))
    generator.firstCustomer = try o.int("first-customer", 0)
    generator.dueStartMs = Int64(try o.int("due-start-ms", 0))
    generator.dueSpreadMs = Int64(try o.int("due-spread-ms", 60_000))
    generator.eventSpanMs = Int64(try o.int("span-ms", 7 * 86_400_000))
    generator.plannedCount = count
    // `--progress-file F`: the counts so far, rewritten every second (the soak samples it).
    let progressFile = try o.string("progress-file", "")
    var nextProgress = 1.0
    let start = monotonic()
    var sent = 0
    var bytes = 0
    func writeProgress(_ elapsed: Double) {
        let line =
            #"{"sent": \#(sent), "delivered": \#(producer.counters.delivered), "#
            + #""failed": \#(producer.counters.failed), "seconds": \#(elapsed)}"#
        try? Data(line.utf8).write(to: URL(fileURLWithPath: progressFile), options: .atomic)
    }
    while sent < count {
        let elapsed = monotonic() - start
        if elapsed > maxSeconds { break }
        if !progressFile.isEmpty && elapsed >= nextProgress {
            writeProgress(elapsed)
            nextProgress = elapsed.rounded(.down) + 1
        }
        let allowed = rate > 0 ? min(count, Int(elapsed * rate) + 1) : min(count, sent + 10_000)
        if sent >= allowed {
            producer.poll()
            usleep(200)
            continue
        }
        while sent < allowed {
            let us = nowMicros()
            let event = generator.next(nowMs: us / 1000, nowUs: us)
            let value = Array(event.value.utf8)
            bytes += value.count
            try producer.send(topic: topic, key: Array(event.key.utf8), value: value)
            sent += 1
        }
    }
    let produceSeconds = monotonic() - start
    try producer.flush(timeoutMs: 120_000)
    let seconds = monotonic() - start
    if !progressFile.isEmpty { writeProgress(seconds) }
    return [
        "produced": sent, "delivered": producer.counters.delivered, "failed": producer.counters.failed,
        "seconds": seconds, "rate": Double(sent) / max(seconds, 1e-9), "target_rate": rate,
        "queue_seconds": produceSeconds, "avg_bytes": sent > 0 ? bytes / sent : 0,
        "last_error": producer.counters.lastError, "mix": mix.rawValue,
    ]
}

func run() throws {
    let o = try Options(CommandLine.arguments)
    let brokers = try o.string("brokers", "127.0.0.1:19092")
    let maxSeconds = try o.double("max-seconds", 300)
    switch o.command {
    case "produce":
        let producer = try LoadProducer(brokers: brokers)
        emit(
            try produce(
                o, producer: producer, topic: try o.string("topic"), count: try o.int("count"),
                rate: try o.double("rate", 0), maxSeconds: maxSeconds))

    case "consume":
        // Consume-only ceiling: reads `count` records of every partition from the beginning,
        // copying each value out of librdkafka as a real consumer must.
        let topic = try o.string("topic")
        let count = try o.int("count")
        let consumer = try LoadConsumer(brokers: brokers, groupId: "nudge-load-ceiling-\(nowMicros())")
        let partitions = try consumer.partitionCount(topic)
        try consumer.assign(topic: topic, partitions: partitions, offset: Int64(RD_KAFKA_OFFSET_BEGINNING))
        let deadline = monotonic() + maxSeconds
        var consumed = 0
        var bytes = 0
        var first = 0.0
        while consumed < count && monotonic() < deadline {
            guard let record = try consumer.poll(timeoutMs: 100) else { continue }
            if consumed == 0 { first = monotonic() }
            consumed += 1
            bytes += record.value.count
        }
        let seconds = monotonic() - first
        emit([
            "consumed": consumed, "seconds": seconds, "rate": Double(consumed) / max(seconds, 1e-9),
            "mb_per_s": Double(bytes) / 1e6 / max(seconds, 1e-9), "partitions": Int(partitions),
        ])

    case "wait-lag":
        // Polls the group's committed offsets until they reach `total` records on the topic.
        // The clock starts when the first commit appears (the engine's start-up is excluded) and
        // the records committed by then are left out of the rate.
        let topic = try o.string("topic")
        let total = try o.int("total")
        let consumer = try LoadConsumer(brokers: brokers, groupId: try o.string("group"))
        let partitions = try consumer.partitionCount(topic)
        let deadline = monotonic() + maxSeconds
        var startTime = 0.0
        var startCommitted = 0
        var committed = 0
        var samples: [[Double]] = []
        while monotonic() < deadline {
            committed = try consumer.committed(topic: topic, partitions: partitions).reduce(0) { $0 + max(0, Int($1)) }
            let now = monotonic()
            if committed > 0 && startTime == 0 {
                startTime = now
                startCommitted = committed
            }
            if startTime > 0 { samples.append([now - startTime, Double(committed)]) }
            if committed >= total { break }
            usleep(50_000)
        }
        let seconds = startTime > 0 ? monotonic() - startTime : 0
        emit([
            "committed": committed, "drained": committed >= total, "seconds": seconds,
            "rate": Double(committed - startCommitted) / max(seconds, 1e-9), "committed_at_start": startCommitted,
            "timeline": samples.enumerated().filter { $0.offset % 10 == 0 }.map { $0.element },
        ])

    case "latency":
        // Produces the realistic mix at a fixed rate; the latency-probe scenario sends at once on
        // `Product Added` with the event's `sent_us`; a consumer on the outbound topic (started at
        // its end before producing) measures receive time - sent_us. The Kafka record timestamp
        // of the outbound record (when the engine produced it) gives a second figure.
        let topic = try o.string("topic")
        let outbound = try o.string("outbound")
        let rate = try o.double("rate", 1000)
        let seconds = try o.double("seconds", 20)
        let drain = try o.double("drain-seconds", 15)
        // The probe's own consumer must not add the broker's fetch wait to the figure.
        let consumer = try LoadConsumer(
            brokers: brokers, groupId: "nudge-load-latency-\(nowMicros())", extra: ["fetch.wait.max.ms": "5"])
        let partitions = try consumer.partitionCount(outbound)
        try consumer.assign(topic: outbound, partitions: partitions, offset: Int64(RD_KAFKA_OFFSET_END))
        // Let the assignment settle (offsets resolved) before the first event is produced.
        let settle = monotonic() + 3
        while monotonic() < settle { _ = try consumer.poll(timeoutMs: 100) }

        final class Collected: @unchecked Sendable {
            let lock = NSLock()
            var received: [Double] = []
            var producedAt: [Double] = []
            var records = 0
            var stop = false
        }
        let collected = Collected()
        let reader = Thread {
            let hardStop = monotonic() + seconds + drain + 30
            while monotonic() < hardStop {
                collected.lock.lock()
                let stop = collected.stop
                collected.lock.unlock()
                if stop { break }
                guard let record = try? consumer.poll(timeoutMs: 50) else { continue }
                let receivedUs = nowMicros()
                // An outbound message carries it in `variables`; an event read back (`--outbound` naming
                // the events topic: the broker's own round trip) in `properties`.
                guard let object = try? JSONSerialization.jsonObject(with: Data(record.value)) as? [String: Any],
                    let fields = (object["variables"] ?? object["properties"]) as? [String: Any],
                    let sent = (fields["sent_us"] as? NSNumber)?.doubleValue
                else { continue }
                collected.lock.lock()
                collected.records += 1
                collected.received.append((Double(receivedUs) - sent) / 1000)
                if record.timestampMs > 0 { collected.producedAt.append(Double(record.timestampMs) - sent / 1000) }
                collected.lock.unlock()
            }
        }
        reader.start()
        let producer = try LoadProducer(brokers: brokers, extra: ["linger.ms": "1"])
        let count = Int(rate * seconds)
        let produced = try produce(
            o, producer: producer, topic: topic, count: count, rate: rate, maxSeconds: seconds + 5)
        // Wait for the tail: until no probe record arrived for 3 s, at most `drain` seconds.
        let drainDeadline = monotonic() + drain
        var last = -1
        var quietSince = monotonic()
        while monotonic() < drainDeadline {
            usleep(250_000)
            collected.lock.lock()
            let n = collected.records
            collected.lock.unlock()
            if n != last {
                last = n
                quietSince = monotonic()
            } else if monotonic() - quietSince > 3 {
                break
            }
        }
        collected.lock.lock()
        collected.stop = true
        let received = collected.received
        let producedAt = collected.producedAt
        collected.lock.unlock()
        usleep(200_000)
        emit([
            "target_rate": rate, "achieved_rate": produced["rate"] ?? 0, "produced": produced["produced"] ?? 0,
            "produce_seconds": produced["queue_seconds"] ?? 0,
            "to_consumer": percentiles(received), "to_outbound_record_timestamp": percentiles(producedAt),
        ])

    case "timers":
        // Reads the outbound topic from the beginning: for each timer-probe message,
        // lateness = created_at (the engine's clock when the timer fired) - due_at.
        let outbound = try o.string("outbound")
        let count = try o.int("count")
        let consumer = try LoadConsumer(brokers: brokers, groupId: "nudge-load-timers-\(nowMicros())")
        let partitions = try consumer.partitionCount(outbound)
        try consumer.assign(topic: outbound, partitions: partitions, offset: Int64(RD_KAFKA_OFFSET_BEGINNING))
        let deadline = monotonic() + maxSeconds
        let parser = InstantParser()
        func parseInstant(_ value: Any?) -> Double? { parser.parse(value) }
        let quietLimit = try o.double("quiet-seconds", 20)
        var lateness: [Double] = []
        var quiet = 0.0
        var lastArrival = monotonic()
        var firstCreated = Double.infinity
        var lastCreated = 0.0
        while lateness.count < count && monotonic() < deadline {
            guard let record = try consumer.poll(timeoutMs: 200) else {
                quiet = monotonic() - lastArrival
                // Quiet counts once timers fire: a fast seed leaves a wait before the window opens.
                if !lateness.isEmpty, quiet > quietLimit { break }
                continue
            }
            lastArrival = monotonic()
            guard let object = try? JSONSerialization.jsonObject(with: Data(record.value)) as? [String: Any],
                let variables = object["variables"] as? [String: Any],
                let due = parseInstant(variables["due_at"]), let created = parseInstant(object["created_at"])
            else { continue }
            lateness.append((created - due) * 1000)
            firstCreated = min(firstCreated, created)
            lastCreated = max(lastCreated, created)
        }
        var result = percentiles(lateness)
        result["fired"] = lateness.count
        result["expected"] = count
        result["fire_span_seconds"] = lateness.isEmpty ? 0 : lastCreated - firstCreated
        emit(result)

    case "offsets":
        // One sample of the soak (soak.sh): records written to each topic so far (high watermarks
        // summed over partitions) and, with --group, what that group has committed on --group-topic.
        let topics = try o.string("topics").split(separator: ",").map(String.init)
        let group = try o.string("group", "")
        let consumer = try LoadConsumer(brokers: brokers, groupId: group.isEmpty ? "nudge-load-offsets" : group)
        var ends: [String: Int] = [:]
        for topic in topics {
            let partitions = try consumer.partitionCount(topic)
            ends[topic] = try consumer.highWatermarks(topic: topic, partitions: partitions).reduce(0) {
                $0 + Int(max(0, $1))
            }
        }
        var result: [String: Any] = ["end": ends]
        if !group.isEmpty {
            let topic = try o.string("group-topic", topics[0])
            let partitions = try consumer.partitionCount(topic)
            result["committed"] = try consumer.committed(topic: topic, partitions: partitions).reduce(0) {
                $0 + max(0, Int($1))
            }
        }
        emit(result)

    case "probe":
        // Diagnostics (issue 16): per partition, the group's committed offset, the high watermark, and
        // whether a fresh consumer fetching from the committed offset gets a record within --wait s.
        let topic = try o.string("topic")
        let group = try o.string("group")
        let wait = try o.double("wait", 10)
        let lookup = try LoadConsumer(brokers: brokers, groupId: group)
        let partitions = try lookup.partitionCount(topic)
        let committed = try lookup.committed(topic: topic, partitions: partitions)
        let highs = try lookup.highWatermarks(topic: topic, partitions: partitions)
        var rows: [[String: Any]] = []
        for partition in 0..<partitions {
            let start = committed[Int(partition)]
            let reader = try LoadConsumer(brokers: brokers, groupId: "nudge-load-probe-\(nowMicros())")
            try reader.assign(topic: topic, partition: partition, offset: start >= 0 ? start : Int64(RD_KAFKA_OFFSET_BEGINNING))
            let began = monotonic()
            var got: Int64 = -1
            var failure = ""
            while monotonic() - began < wait {
                do {
                    if let record = try reader.poll(timeoutMs: 100) { got = record.offset; break }
                } catch { failure = "\(error)"; break }
            }
            rows.append([
                "partition": Int(partition), "committed": Int(start), "high": Int(highs[Int(partition)]),
                "first_offset": Int(got), "seconds": monotonic() - began, "error": failure,
            ])
        }
        emit(["topic": topic, "group": group, "partitions": rows])

    case "probe-all":
        // Diagnostics (issue 16): one consumer with the engine's settings, every partition of --topics
        // assigned at --group's committed offsets; counts what arrives within --wait s.
        let topics = try o.string("topics").split(separator: ",").map(String.init)
        let group = try o.string("group")
        let wait = try o.double("wait", 10)
        let lookup = try LoadConsumer(brokers: brokers, groupId: group)
        var starts: [(String, Int32, Int64)] = []
        for topic in topics {
            let n = try lookup.partitionCount(topic)
            for (p, c) in try lookup.committed(topic: topic, partitions: n).enumerated() {
                starts.append((topic, Int32(p), c >= 0 ? c : Int64(RD_KAFKA_OFFSET_BEGINNING)))
            }
        }
        let reader = try LoadConsumer(brokers: brokers, groupId: "nudge-load-probe-all-\(nowMicros())",
            extra: ["queued.max.messages.kbytes": "16384", "fetch.wait.max.ms": "5"])
        try reader.assign(starts)
        let began = monotonic()
        var got = 0
        var firstAt = -1.0
        while monotonic() - began < wait {
            if (try? reader.poll(timeoutMs: 100)) != nil { got += 1; if firstAt < 0 { firstAt = monotonic() - began } }
        }
        emit(["received": got, "first_after_s": firstAt, "assigned": starts.count])

    case "content":
        // Open-loop GET /v1/content at a constant rate (see OpenLoopHTTP): requests alternate a
        // personalized customer (w1..wN) and an unknown visitor (defaults), like a site's pages.
        let customers = try o.int("customers", 10_000)
        let slots = try o.string("slots", "home_hero,sidebar")
        let rate = try o.double("rate", 5000)
        let seconds = min(try o.double("seconds", 20), maxSeconds)
        // `--path /health`: the same load on a fixed route, for the HTTP stack's own cost.
        let fixedPath = try o.string("path", "")
        let generator = OpenLoopHTTP(
            port: UInt16(try o.int("port")), rate: rate, seconds: seconds, connections: try o.int("connections", 50),
            target: { index in
                if !fixedPath.isEmpty { return fixedPath }
                let id = index % 2 == 0 ? "w\((index * 7919) % customers + 1)" : "visitor-\(index)"
                return "/v1/content?customer_id=\(id)&slots=\(slots)"
            },
            headers: [("X-Nudge-Site-Key", try o.string("site-key", "sk_load"))])
        let (result, elapsed) = try generator.run()
        let completed = result.corrected.count
        let ok = result.statuses.filter { (200..<300).contains($0.key) }.values.reduce(0, +)
        emit([
            "tool": "nudge-load content (open loop, constant rate, latency from each request's due time)",
            "target_rate": rate, "rate": Double(completed) / max(elapsed, 1e-9), "requests": completed,
            "seconds": elapsed, "non_2xx": completed - ok, "failures": result.failures,
            "sent_late": result.late, "connections": generator.connections,
            "latency": percentiles(result.corrected), "service_time": percentiles(result.service),
        ])

    default:
        throw LoadError("unknown command \(o.command)")
    }
}

/// Seconds since the epoch from a Segment/Nudge instant: ISO 8601 text or epoch milliseconds.
final class InstantParser {
    private let fractional = ISO8601DateFormatter()
    private let whole = ISO8601DateFormatter()
    init() { fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds] }
    func parse(_ value: Any?) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue / 1000 }
        guard let text = value as? String else { return nil }
        return (fractional.date(from: text) ?? whole.date(from: text))?.timeIntervalSince1970
    }
}

do {
    try run()
} catch {
    log("error: \(error)")
    exit(1)
}

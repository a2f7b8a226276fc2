import Foundation

/// SplitMix64: small, fast and seeded, so a stream can be generated again identically.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// Ranks 1...n drawn with probability proportional to 1/rank^s, by binary search in the
/// cumulative distribution (8 bytes per customer: 8 MB for a million).
struct ZipfSampler {
    private let cdf: [Double]

    init(customers n: Int, exponent s: Double) {
        var cdf = [Double](repeating: 0, count: n)
        var sum = 0.0
        for rank in 1...n {
            sum += 1.0 / pow(Double(rank), s)
            cdf[rank - 1] = sum
        }
        for i in 0..<n { cdf[i] /= sum }
        self.cdf = cdf
    }

    func sample(_ u: Double) -> Int {
        var low = 0
        var high = cdf.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cdf[mid] < u { low = mid + 1 } else { high = mid }
        }
        return low + 1
    }
}

/// ISO 8601 with milliseconds in UTC, as Segment writes timestamps; the date part is cached per second.
struct TimestampFormatter {
    private var second: Int64 = -1
    private var prefix = ""

    mutating func format(milliseconds ms: Int64) -> String {
        let s = ms / 1000
        if s != second {
            var t = time_t(s)
            var parts = tm()
            gmtime_r(&t, &parts)
            prefix = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                parts.tm_hour, parts.tm_min, parts.tm_sec)
            second = s
        }
        let milli = Int(ms % 1000)
        return prefix + (milli < 10 ? ".00" : milli < 100 ? ".0" : ".") + String(milli) + "Z"
    }
}

/// What the generator writes.
enum StreamMix: String {
    /// The brief's vocabulary in realistic proportions: page views, application status changes,
    /// cart and order events, sign-ups and identify calls.
    case realistic
    /// One `Application Status Changed` to "draft" per customer, each carrying a `due_at` the
    /// timer scenario waits until (loadtest/scenarios/timer-probe.yaml): seeds pending timers.
    case timers
    /// Page views and identify calls only: customers with state but no scenario instance.
    case profiles
    /// One `Signed Up` per customer w<N>: the welcome scenario fills their `home_hero` slot
    /// (content API measure).
    case signups
    /// `Application Status Changed` only, uniform over `customers` customers d<N>: each customer's
    /// applications go draft -> (saved again | submitted -> approved, rejected or back to draft |
    /// abandoned in draft), the lifecycle rules/draft-application-reminder.yaml follows. Timestamps
    /// are simulated event time spread evenly over `eventSpanMs` ending now, so drafts left for
    /// longer than 24 h show up in event time too (the Quix comparison fires on event time).
    case drafts
}

/// Segment-spec JSON events keyed by customer id.
struct EventGenerator {
    var rng: SplitMix64
    let zipf: ZipfSampler?
    let customers: Int
    let mix: StreamMix
    var formatter = TimestampFormatter()
    var sequence = 0
    /// For `timers`: due times are spread uniformly over [dueStartMs, dueStartMs + dueSpreadMs).
    var dueStartMs: Int64 = 0
    var dueSpreadMs: Int64 = 60_000
    /// For `timers` and `profiles`: customers are numbered from here, one event each.
    var firstCustomer = 0
    let runTag: String
    /// For `drafts`: the event-time span of the whole stream and the number of events it is spread
    /// over (the first event is `eventSpanMs` before the wall clock, the last one about now).
    var eventSpanMs: Int64 = 7 * 86_400_000
    var plannedCount = 1
    private var eventStartMs: Int64 = 0
    /// For `drafts`: per customer, the number of its current application and that application's
    /// status (0 none or finished, 1 draft, 2 submitted).
    private var applications: [UInt32] = []
    private var statuses: [UInt8] = []

    static let services = ["export-licence", "certificate-of-origin", "trade-mission", "market-research"]
    static let products = [
        ("p-100", "SKU-100", "Running shoes", 89.9), ("p-200", "SKU-200", "Rain jacket", 129.0),
        ("p-300", "SKU-300", "Water bottle", 12.5), ("p-400", "SKU-400", "Yoga mat", 35.0),
        ("p-500", "SKU-500", "Headlamp", 42.0),
    ]
    static let pages = ["/", "/catalog", "/catalog/shoes", "/product/p-100", "/cart", "/account", "/help"]

    init(mix: StreamMix, customers: Int, zipfExponent: Double, seed: UInt64, runTag: String) {
        self.mix = mix
        self.customers = customers
        self.rng = SplitMix64(seed: seed)
        self.zipf = mix == .realistic ? ZipfSampler(customers: customers, exponent: zipfExponent) : nil
        self.runTag = runTag
        if mix == .drafts {
            applications = [UInt32](repeating: 0, count: customers)
            statuses = [UInt8](repeating: 0, count: customers)
        }
    }

    /// The next event: (key = customer id, JSON value). `nowMs` becomes its timestamp;
    /// `sent_us` in properties carries microseconds for the latency probe.
    mutating func next(nowMs: Int64, nowUs: Int64) -> (key: String, value: String) {
        sequence += 1
        switch mix {
        case .timers:
            let customer = "t\(firstCustomer + sequence)"
            let due = dueStartMs + Int64(rng.unit() * Double(dueSpreadMs))
            let props =
                #""application_id":"\#(runTag)-\#(sequence)","service":"export-licence","status":"draft","due_at":"\#(formatter.format(milliseconds: due))""#
            return (customer, track(customer, "Application Status Changed", props, nowMs, nowUs))
        case .drafts:
            return nextDraftEvent(nowMs: nowMs, nowUs: nowUs)
        case .signups:
            let customer = "w\(firstCustomer + sequence)"
            return (customer, track(customer, "Signed Up", #""method":"email""#, nowMs, nowUs))
        case .profiles:
            let customer = "q\(firstCustomer + sequence)"
            if sequence % 2 == 0 { return (customer, identify(customer, nowMs)) }
            return (customer, page(customer, nowMs, nowUs))
        case .realistic:
            let rank = zipf!.sample(rng.unit())
            let customer = "c\(rank)"
            let roll = rng.unit()
            switch roll {
            case ..<0.45:
                return (customer, page(customer, nowMs, nowUs))
            case ..<0.55:
                let status = rng.unit() < 0.6 ? "draft" : ["submitted", "approved", "rejected"][Int(rng.next() % 3)]
                let app = "app-\(rank)-\(rng.next() % 3)"
                let service = Self.services[Int(rng.next() % UInt64(Self.services.count))]
                return (
                    customer,
                    track(
                        customer, "Application Status Changed",
                        #""application_id":"\#(app)","service":"\#(service)","status":"\#(status)""#, nowMs, nowUs)
                )
            case ..<0.70:
                let product = Self.products[Int(rng.next() % UInt64(Self.products.count))]
                return (
                    customer,
                    track(
                        customer, "Product Added",
                        #""cart_id":"cart-\#(rank)","product_id":"\#(product.0)","sku":"\#(product.1)","name":"\#(product.2)","price":\#(product.3)"#,
                        nowMs, nowUs)
                )
            case ..<0.76:
                return (customer, track(customer, "Checkout Started", #""cart_id":"cart-\#(rank)""#, nowMs, nowUs))
            case ..<0.81:
                let product = Self.products[Int(rng.next() % UInt64(Self.products.count))]
                return (
                    customer,
                    track(
                        customer, "Order Completed",
                        #""order_id":"o-\#(runTag)-\#(sequence)","cart_id":"cart-\#(rank)","total":\#(product.3),"currency":"EUR","products":[{"product_id":"\#(product.0)","sku":"\#(product.1)","price":\#(product.3),"quantity":1}]"#,
                        nowMs, nowUs)
                )
            case ..<0.84:
                let method = ["email", "google", "apple"][Int(rng.next() % 3)]
                return (customer, track(customer, "Signed Up", #""method":"\#(method)""#, nowMs, nowUs))
            default:
                return (customer, identify(customer, nowMs))
            }
        }
    }

    /// The next step of a random customer's current application (see `StreamMix.drafts`).
    private mutating func nextDraftEvent(nowMs: Int64, nowUs: Int64) -> (key: String, value: String) {
        if sequence == 1 { eventStartMs = nowMs - eventSpanMs }
        let eventMs = eventStartMs + Int64(sequence - 1) * eventSpanMs / Int64(max(plannedCount, 1))
        let index = Int(rng.next() % UInt64(customers))
        let roll = rng.unit()
        let status: String
        switch statuses[index] {
        case 1:  // in draft: saved again, submitted, or abandoned for a new application
            if roll < 0.25 {
                status = "draft"
            } else if roll < 0.70 {
                status = "submitted"
            } else {
                applications[index] += 1
                status = "draft"
            }
        case 2:  // submitted: decided, or sent back to draft (a new reminder instance)
            status = roll < 0.6 ? "approved" : roll < 0.8 ? "rejected" : "draft"
        default:  // nothing open: a new application
            applications[index] += 1
            status = "draft"
        }
        statuses[index] = status == "draft" ? 1 : status == "submitted" ? 2 : 0
        let customer = "d\(firstCustomer + index + 1)"
        let app = applications[index]
        let service = Self.services[(index + Int(app)) % Self.services.count]
        let props =
            #""application_id":"\#(runTag)-\#(customer)-\#(app)","service":"\#(service)","status":"\#(status)""#
        return (customer, track(customer, "Application Status Changed", props, eventMs, nowUs))
    }

    private mutating func header(_ type: String, _ customer: String, _ nowMs: Int64) -> String {
        #""type":"\#(type)","messageId":"\#(runTag)-\#(sequence)","userId":"\#(customer)","timestamp":"\#(formatter.format(milliseconds: nowMs))""#
    }

    private mutating func track(_ customer: String, _ event: String, _ props: String, _ nowMs: Int64, _ nowUs: Int64)
        -> String
    {
        "{\(header("track", customer, nowMs)),\"event\":\"\(event)\",\"properties\":{\(props),\"sent_us\":\(nowUs)}}"
    }

    private mutating func page(_ customer: String, _ nowMs: Int64, _ nowUs: Int64) -> String {
        let path = Self.pages[Int(rng.next() % UInt64(Self.pages.count))]
        return
            "{\(header("page", customer, nowMs)),\"name\":\"\(path)\",\"properties\":{\"path\":\"\(path)\",\"url\":\"https://shop.example\(path)\",\"sent_us\":\(nowUs)}}"
    }

    private mutating func identify(_ customer: String, _ nowMs: Int64) -> String {
        let zones = ["Europe/Berlin", "Europe/London", "America/New_York"]
        let zone = zones[Int(rng.next() % 3)]
        let traits =
            #""email":"\#(customer)@example.com","first_name":"Name\#(customer.count)","timezone":"\#(zone)","bonus_balance":\#(rng.next() % 500)"#
        return "{\(header("identify", customer, nowMs)),\"traits\":{\(traits)}}"
    }
}

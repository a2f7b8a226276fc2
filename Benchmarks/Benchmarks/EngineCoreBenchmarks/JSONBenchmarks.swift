import Benchmark
import EngineCore
import Foundation

/// Decoding a typical incoming Segment event, JSONDecoder (the old path) against the byte-level
/// parser (the new one), writing values back, and the stored customer state both ways; the load
/// test found these coders at ~70% of engine CPU.
func jsonBenchmarks() {
    let bytes = JSONFixture.segmentTrack

    Benchmark("Segment event decode, JSONDecoder (old)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? JSONFixture.eventThroughJSONDecoder(bytes))
        }
    }

    Benchmark("Segment event decode, JSONValueParser (new)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? JSONFixture.eventThroughParser(bytes))
        }
    }

    let value = (try? JSONValueParser.parse(bytes)) ?? .null
    Benchmark("Value to JSON, JSONEncoder (old)") { benchmark in
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for _ in benchmark.scaledIterations {
            blackHole(try? encoder.encode(value))
        }
    }

    Benchmark("Value to JSON, JSONValueWriter (new)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? JSONValueWriter.bytes(value))
        }
    }

    let state = JSONFixture.customerState
    let stateEncoder = JSONEncoder()
    stateEncoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let stored = Array((try? stateEncoder.encode(state)) ?? Data())

    Benchmark("Customer state decode, JSONDecoder (old)") { benchmark in
        let decoder = JSONDecoder()
        for _ in benchmark.scaledIterations {
            blackHole(try? decoder.decode(CustomerState.self, from: Data(stored)))
        }
    }

    Benchmark("Customer state decode, storedJSON (new)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? CustomerState(storedJSON: stored))
        }
    }

    Benchmark("Customer state encode, JSONEncoder (old)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? stateEncoder.encode(state))
        }
    }

    Benchmark("Customer state encode, storedJSON (new)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? state.storedJSON())
        }
    }
}

enum JSONFixture {
    /// A track event as analytics.js sends it through Segment: ~700 bytes with context.
    static let segmentTrack = Array(
        """
        {"type":"track","event":"Product Added","messageId":"ajs-next-1732262400000-4f3c2a1b","userId":"customer-1042",\
        "anonymousId":"6f1c9a3e-2b7d-4e8a-9c1f-0d2e3b4a5c6d","timestamp":"2026-11-22T10:00:00.000Z",\
        "sentAt":"2026-11-22T10:00:00.120Z","receivedAt":"2026-11-22T10:00:00.340Z",\
        "properties":{"cart_id":"C-88121","product_id":"SKU-1942","sku":"SKU-1942","name":"Trail Runner 3",\
        "price":129.9,"quantity":1,"currency":"EUR","category":"shoes","brand":"Nordpeak","in_stock":true,\
        "discount":null,"tags":["running","trail","sale"]},\
        "context":{"ip":"203.0.113.7","locale":"de-DE","timezone":"Europe/Berlin","userAgent":"Mozilla/5.0 (X11; \
        Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",\
        "library":{"name":"analytics.js","version":"next-1.72.0"},"page":{"path":"/cart","referrer":"",\
        "title":"Warenkorb \\u2013 Nordpeak","url":"https://shop.example.com/cart"}},\
        "integrations":{"All":true}}
        """.utf8)

    /// A customer with a profile, one waiting abandoned-cart instance and a trigger timer: ~500 bytes stored.
    static let customerState = CustomerState(
        customerId: "customer-1042",
        profile: [
            "first_name": "Ana", "last_name": "Berg", "email": "ana@example.com", "plan": "pro", "ltv": 1234.5,
            "signed_up": .timestamp(Timestamp(milliseconds: 1_700_000_000_000)),
        ],
        instances: [
            InstanceState(
                id: "abandoned-cart/C-88121", scenario: "abandoned-cart", version: 3, step: "wait_a_day", visits: 1,
                key: "C-88121", vars: ["cart_id": "C-88121", "price": 129.9, "name": "Trail Runner 3"],
                timer: PendingTimer(
                    id: "abandoned-cart/C-88121/wait_a_day/1", at: Timestamp(milliseconds: 1_780_086_400_000)),
                startedAt: Timestamp(milliseconds: 1_780_000_000_000))
        ],
        entries: [
            "abandoned-cart/C-88121": EntryRecord(lastEntered: Timestamp(milliseconds: 1_780_000_000_000), count: 1)
        ],
        triggerTimers: ["welcome/absence": Timestamp(milliseconds: 1_780_600_000_000)])

    static func eventThroughJSONDecoder(_ bytes: [UInt8]) throws -> Event? {
        guard case .object(let object) = try JSONDecoder().decode(Value.self, from: Data(bytes)) else { return nil }
        return try Event(segment: object, fallbackMessageId: "events/0/0")
    }

    static func eventThroughParser(_ bytes: [UInt8]) throws -> Event? {
        guard case .object(let object) = try JSONValueParser.parse(bytes) else { return nil }
        return try Event(segment: object, fallbackMessageId: "events/0/0")
    }
}

import EngineCore
import Testing

@testable import Engine

@Suite("Merging an anonymous visitor into a known customer")
struct CustomerMergeTests {
    @Test func knownProfileWinsAndVisitorHistoryComesAlong() {
        let start = Timestamp(milliseconds: 1_000)
        let known = CustomerState(
            customerId: "u1", profile: ["email": .string("a@b.c"), "first_name": .string("Ana")],
            entries: ["welcome": EntryRecord(lastEntered: start, count: 1)])
        let visitor = CustomerState(
            customerId: "anon-1", profile: ["first_name": .string("Guest"), "utm_source": .string("ad")],
            instances: [InstanceState(id: "abandoned-cart:anon-1:c1", scenario: "abandoned-cart", version: 1, step: "wait", startedAt: start)],
            entries: ["welcome": EntryRecord(lastEntered: start + TimeSpan(milliseconds: 5), count: 1)],
            triggerTimers: ["absence:x": start + TimeSpan(milliseconds: 10)])
        let merged = known.absorbing(visitor)
        #expect(merged.customerId == "u1")
        #expect(merged.profile["first_name"] == .string("Ana"))
        #expect(merged.profile["utm_source"] == .string("ad"))
        #expect(merged.instances.map(\.id) == ["abandoned-cart:anon-1:c1"])
        #expect(merged.entries["welcome"] == EntryRecord(lastEntered: start + TimeSpan(milliseconds: 5), count: 2))
        #expect(merged.triggerTimers["absence:x"] != nil)
    }

    @Test func mergingTwiceDoesNotDuplicateInstances() {
        let start = Timestamp(milliseconds: 1_000)
        let visitor = CustomerState(
            customerId: "anon-1",
            instances: [InstanceState(id: "i1", scenario: "s", version: 1, step: "wait", startedAt: start)])
        let once = CustomerState(customerId: "u1").absorbing(visitor)
        #expect(once.absorbing(visitor).instances.count == 1)
    }
}

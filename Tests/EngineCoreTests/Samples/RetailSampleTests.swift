import Testing

@testable import EngineCore

@Suite("Samples: expiring bonus, birthday, abandoned cart, welcome")
struct RetailSampleTests {
    @Test("expiring bonus: 7 days before, at 10:00 local; re-planned when the date changes")
    func expiringBonus() throws {
        let engine = try TestSupport.engine(samples: ["expiring-bonus"])
        let run = TestSupport.run(
            engine,
            [
                TestSupport.identify(
                    ["timezone": "Europe/Berlin", "bonus_balance": 120, "bonus_expires_at": "2026-06-01T00:00:00Z"],
                    at: "2026-05-01T08:00:00Z"),
                TestSupport.identify(["bonus_expires_at": "2026-06-15T12:00:00Z"], at: "2026-05-10T08:00:00Z"),
            ])
        #expect(run.sends.count == 1)
        #expect(run.sends.first?.at == TestSupport.at("2026-06-08T08:00:00Z"))
        #expect(run.sends.first?.data?["bonus_balance"] == 120)
    }

    @Test("expiring bonus: nothing when the balance is zero")
    func noBalance() throws {
        let engine = try TestSupport.engine(samples: ["expiring-bonus"])
        let run = TestSupport.run(
            engine,
            [
                TestSupport.identify(
                    ["bonus_balance": 0, "bonus_expires_at": "2026-06-01"], at: "2026-05-01T08:00:00Z")
            ])
        #expect(run.timeline.isEmpty)
    }

    @Test("birthday: 3 days before at 10:00 local across a DST change, then again the next year")
    func birthday() throws {
        let engine = try TestSupport.engine(samples: ["birthday"])
        let run = TestSupport.run(
            engine,
            [
                TestSupport.identify(
                    ["timezone": "Europe/Berlin", "birthday": "1990-03-31"], at: "2026-01-10T08:00:00Z")
            ], horizon: .days(500))
        // 2026-03-28 is still winter time in Berlin (UTC+1); so is 2027-03-28 (DST starts that day at 02:00).
        #expect(
            run.sends.map(\.at) == [TestSupport.at("2026-03-28T09:00:00Z"), TestSupport.at("2027-03-28T08:00:00Z")])
        #expect(run.entries(.show).first?.slot == "sidebar")
        #expect(run.entries(.profile).count == 2)
    }

    @Test("category bonus: a purchase in the category gets an offer at 11:00 local, at most once a month")
    func categoryBonus() throws {
        let engine = try TestSupport.engine(samples: ["category-bonus"])
        func order(_ id: String, _ category: String, at time: String) -> Event {
            TestSupport.track(
                "Order Completed",
                ["order_id": .string(id), "total": 80, "products": [["sku": "s1", "category": .string(category)]]],
                at: time, id: id)
        }
        let run = TestSupport.run(
            engine,
            [
                TestSupport.identify(["timezone": "Europe/Berlin"], at: "2026-05-01T08:00:00Z"),
                order("O1", "football", at: "2026-05-01T10:00:00Z"),
                order("O2", "running", at: "2026-05-01T12:00:00Z"),
                order("O3", "running", at: "2026-05-10T12:00:00Z"),
            ])
        #expect(run.sends.map(\.at) == [TestSupport.at("2026-05-02T09:00:00Z")])
        #expect(run.sends.first?.data?["category"] == "running")
        #expect(run.entries(.enter).count == 1)
    }

    @Test("abandoned cart: one email after 2 hours listing the items")
    func abandonedCart() throws {
        let engine = try TestSupport.engine(samples: ["abandoned-cart"])
        let run = TestSupport.run(
            engine,
            [
                TestSupport.track(
                    "Product Added", ["cart_id": "C1", "sku": "s1", "name": "Shoe", "price": 50],
                    at: "2026-05-01T10:00:00Z"),
                TestSupport.track(
                    "Product Added", ["cart_id": "C1", "sku": "s2", "name": "Sock", "price": 5],
                    at: "2026-05-01T10:30:00Z"),
                TestSupport.track("Checkout Started", ["cart_id": "C1"], at: "2026-05-01T10:40:00Z"),
            ])
        #expect(run.sends.count == 1)
        let email = try #require(run.sends.first)
        #expect(email.at == TestSupport.at("2026-05-01T12:00:00Z"))
        #expect(
            email.data?["items"] == [
                ["name": "Shoe", "sku": "s1", "price": 50], ["name": "Sock", "sku": "s2", "price": 5],
            ])
    }

    @Test("abandoned cart: an order within 2 hours stops it at once")
    func cartOrdered() throws {
        let engine = try TestSupport.engine(samples: ["abandoned-cart"])
        let run = TestSupport.run(
            engine,
            [
                TestSupport.track(
                    "Product Added", ["cart_id": "C1", "sku": "s1", "name": "Shoe", "price": 50],
                    at: "2026-05-01T10:00:00Z"),
                TestSupport.track(
                    "Order Completed", ["order_id": "O1", "cart_id": "C1", "total": 50], at: "2026-05-01T11:00:00Z"),
            ])
        #expect(run.sends.isEmpty)
        #expect(run.ends.map(\.reason) == ["goal:ordered"])
        #expect(run.pendingTimers == 0)
    }

    @Test("welcome: email and home_hero banner; the first purchase removes the banner; once ever")
    func welcomeUntilFirstPurchase() throws {
        let engine = try TestSupport.engine(samples: ["welcome"])
        let run = TestSupport.run(
            engine,
            [
                TestSupport.track("Signed Up", ["method": "email"], at: "2026-05-01T10:00:00Z"),
                TestSupport.track("Order Completed", ["order_id": "O1", "total": 30], at: "2026-05-02T10:00:00Z"),
                TestSupport.track("Signed Up", ["method": "google"], at: "2026-05-05T10:00:00Z"),
            ])
        #expect(run.sends.map(\.template) == ["welcome"])
        #expect(run.entries(.show).map(\.slot) == ["home_hero"])
        #expect(run.entries(.hide).map(\.slot) == ["home_hero"])
        #expect(run.entries(.hide).first?.at == TestSupport.at("2026-05-02T10:00:00Z"))
        #expect(run.ends.map(\.reason) == ["goal:first_purchase"])
        #expect(run.entries(.enter).count == 1)
    }

    @Test("welcome: without a purchase, tips after 2 days, banner until the instance ends")
    func welcomeWithoutPurchase() throws {
        let engine = try TestSupport.engine(samples: ["welcome"])
        let run = TestSupport.run(
            engine, [TestSupport.track("Signed Up", ["method": "email"], at: "2026-05-01T10:00:00Z")])
        #expect(run.sends.map(\.template) == ["welcome", "welcome-tips"])
        #expect(run.sends.last?.at == TestSupport.at("2026-05-03T10:00:00Z"))
        #expect(run.entries(.hide).first?.at == TestSupport.at("2026-05-31T10:00:00Z"))
    }
}

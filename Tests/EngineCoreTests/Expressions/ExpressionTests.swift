import Testing

@testable import EngineCore

@Suite("Expressions: parser, type checker, evaluator")
struct ExpressionTests {
    let now = TestSupport.at("2026-05-20T12:00:00Z")

    private func evaluate(
        _ source: String, properties: [String: Value] = [:], profile: [String: Value] = [:],
        vars: [String: Value] = [:], params: [String: Value] = [:]
    ) throws -> Value {
        let expression = try CompiledExpression.compile(source, scope: ExpressionScope(params: params))
        let event = Event(
            name: "Order Completed", messageId: "m1", userId: "u1", properties: properties, timestamp: now)
        let instance = InstanceState(
            id: "i1", scenario: "s", version: 1, step: "a", vars: vars, startedAt: now - .hours(1))
        return expression.evaluate(
            EvaluationContext(event: event, profile: profile, instance: instance, params: params, now: now))
    }

    private func compileError(_ source: String, scope: ExpressionScope = ExpressionScope()) -> ExpressionError? {
        do {
            _ = try CompiledExpression.compile(source, scope: scope)
            return nil
        } catch {
            return error
        }
    }

    @Test("comparisons, boolean logic and precedence")
    func logic() throws {
        #expect(try evaluate("1 + 2 * 3 == 7") == true)
        #expect(try evaluate("(1 + 2) * 3 == 9") == true)
        #expect(try evaluate("not 1 > 2 and 2 >= 2") == true)
        #expect(try evaluate("1 > 2 or 3 < 4") == true)
        #expect(try evaluate("10 / 4") == 2.5)
        #expect(try evaluate("7 % 3") == 1)
        #expect(try evaluate("-3 + 1") == -2)
        #expect(try evaluate("2 == 2.0") == true)
    }

    @Test("null-safe paths into event, profile and instance")
    func paths() throws {
        let properties: [String: Value] = ["status": "draft", "cart": ["items": [["sku": "a"], ["sku": "b"]]]]
        #expect(try evaluate("event.properties.status", properties: properties) == "draft")
        #expect(try evaluate("event.properties.cart.items[1].sku", properties: properties) == "b")
        #expect(try evaluate("event.properties.cart.items[-1].sku", properties: properties) == "b")
        #expect(try evaluate("event.properties.missing.deeper.still", properties: properties) == .null)
        #expect(try evaluate("event.properties[\"status\"]", properties: properties) == "draft")
        #expect(try evaluate("profile.first_name", profile: ["first_name": "Ana"]) == "Ana")
        #expect(try evaluate("instance.application_id", vars: ["application_id": "A-1"]) == "A-1")
        #expect(try evaluate("instance.id") == "i1")
        #expect(try evaluate("event.name") == "Order Completed")
        #expect(try evaluate("profile.age > 18") == false)
        #expect(try evaluate("profile.age == null") == true)
        #expect(try evaluate("profile.age + 1") == .null)
    }

    @Test("in, not in, and string tests")
    func membership() throws {
        let properties: [String: Value] = ["status": "submitted", "tags": ["vip", "new"], "email": "ana@example.com"]
        #expect(
            try evaluate("event.properties.status in [\"submitted\", \"approved\"]", properties: properties) == true)
        #expect(try evaluate("event.properties.status not in [\"draft\"]", properties: properties) == true)
        #expect(try evaluate("\"vip\" in event.properties.tags", properties: properties) == true)
        #expect(try evaluate("event.properties.tags contains \"new\"", properties: properties) == true)
        #expect(try evaluate("event.properties.email ends_with \"@example.com\"", properties: properties) == true)
        #expect(try evaluate("event.properties.email starts_with \"bob\"", properties: properties) == false)
        #expect(try evaluate("event.properties.email contains \"@\"", properties: properties) == true)
        #expect(
            try evaluate("lower(\"ABC\") == \"abc\" && length(event.properties.tags) == 2", properties: properties)
                == true)
        let products: [String: Value] = ["products": [["category": "running"], ["category": "golf"]]]
        #expect(
            try evaluate("\"golf\" in pluck(event.properties.products, \"category\")", properties: products) == true)
        #expect(try evaluate("pluck(event.properties.missing, \"category\")", properties: products) == .null)
    }

    @Test("durations and timestamps: now - profile.last_purchase_at > 14d")
    func time() throws {
        let profile: [String: Value] = ["last_purchase_at": "2026-05-01T12:00:00Z", "recent": "2026-05-19T12:00:00Z"]
        #expect(try evaluate("now - profile.last_purchase_at > 14d", profile: profile) == true)
        #expect(try evaluate("now - profile.recent > 14d", profile: profile) == false)
        #expect(try evaluate("now - profile.missing > 14d", profile: profile) == false)
        #expect(try evaluate("1h30m == 90m") == true)
        #expect(try evaluate("2h + 30m") == .span(.minutes(150)))
        #expect(try evaluate("now + 1d") == .timestamp(TestSupport.at("2026-05-21T12:00:00Z")))
        #expect(try evaluate("profile.last_purchase_at < now", profile: profile) == true)
        #expect(try evaluate("(now - instance.started_at) / 1m") == 60)
        #expect(try evaluate("hours(params.n) == 24h", params: ["n": 24]) == true)
        #expect(try evaluate("params.delay * 2", params: ["delay": .span(.hours(2))]) == .span(.hours(4)))
    }

    @Test("syntax errors carry the offset of the problem")
    func syntaxErrors() {
        #expect(compileError("event.properties.status = \"draft\"")?.offset == 24)
        #expect(compileError("event.properties.status = \"draft\"")?.message.contains("use '=='") == true)
        #expect(compileError("1 +")?.message == "expected a value, found end of expression")
        #expect(compileError("(1 + 2")?.message == "expected ')', found end of expression")
        #expect(compileError("\"open")?.message == "unterminated string")
        #expect(compileError("1 < 2 < 3")?.kind == .syntax)
        #expect(compileError("14x")?.message == "bad duration '14x': unknown unit 'x' (use ms, s, m, h, d or w)")
    }

    @Test("type errors name both types and point at the operator")
    func typeErrors() {
        let compare = compileError("event.properties.total > 100 and 14d > 3")
        #expect(compare?.kind == .type)
        #expect(compare?.offset == 37)
        #expect(compare?.message == "'>' cannot compare duration and number")
        #expect(compileError("\"a\" + 1")?.message == "'+' cannot add string and number")
        #expect(compileError("now + now")?.message == "'+' cannot add timestamp and timestamp")
        #expect(compileError("not 5")?.message == "'not' needs a boolean, got number")
        #expect(compileError("1 and true")?.message == "'and' needs booleans, got number")
        #expect(compileError("14d == \"x\" + 1")?.kind == .type)
        #expect(compileError("lower(5)")?.message == "'lower' needs a string, got number")
        #expect(compileError("lowr(\"a\")")?.message == "unknown function 'lowr' (did you mean 'lower'?)")
    }

    @Test("unknown names are load-time errors with suggestions")
    func unknownNames() {
        #expect(
            compileError("evnt.properties.x")?.message.hasPrefix("unknown name 'evnt' (did you mean 'event'?)") == true)
        #expect(
            compileError("event.propertes.x")?.message.hasPrefix(
                "unknown event field 'propertes' (did you mean 'properties'?)") == true)
        #expect(compileError("params.delay")?.message == "unknown parameter 'delay'")
        let scope = ExpressionScope(instanceVariables: ["application_id": .any])
        #expect(
            compileError("instance.aplication_id", scope: scope)?.message.hasPrefix(
                "unknown instance variable 'aplication_id' (did you mean 'application_id'?)") == true)
        #expect(compileError("event.name", scope: ExpressionScope(hasEvent: false))?.kind == .type)
    }

    @Test("constant sub-expressions are folded at load")
    func folding() throws {
        let expression = try CompiledExpression.compile("2h + 30m")
        #expect(expression.type == .span)
        #expect(expression.evaluate(EvaluationContext(now: now)) == .span(.minutes(150)))
    }

    /// Found by the fuzzer (Fuzz/, fuzz-expression): 1.3 KB of `(` overflowed the stack.
    @Test("deep nesting and huge expressions are refused, not a stack overflow")
    func hostileExpressions() {
        #expect(compileError(String(repeating: "(", count: 500) + "1")?.message.contains("nested too deeply") == true)
        #expect(
            compileError(String(repeating: "not ", count: 500) + "true")?.message.contains("nested too deeply") == true)
        #expect(compileError(String(repeating: "-", count: 500) + "1")?.message.contains("nested too deeply") == true)
        #expect(
            compileError(Array(repeating: "1", count: 2_000).joined(separator: " + "))?.message.contains("too long")
                == true)
        // What rules write still compiles: a few levels of parentheses.
        #expect(compileError("((1 + 2) * (3 - (4 / 2))) > 0") == nil)
    }
}

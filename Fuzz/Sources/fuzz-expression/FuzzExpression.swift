import EngineCore
import FuzzSupport

// An expression from a scenario file: lexer, parser, type checker, compiler; what compiles is
// evaluated against an event and a profile with values of every type.
private let now = Timestamp(milliseconds: 1_765_000_000_000)
private let properties: [String: Value] = [
    "total": .double(129.5), "count": .int(3), "big": .int(Int64.max), "small": .int(Int64.min),
    "name": .string("Ana"), "email": .string("ana@example.com"), "flag": .bool(true), "nothing": .null,
    "at": .timestamp(now), "span": .span(TimeSpan(milliseconds: 86_400_000)),
    "items": .list([.object(["sku": .string("A1"), "price": .double(9.99)]), .int(7)]),
    "nested": .object(["level": .object(["deep": .string("x")])]),
]
private let event = Event(
    name: "Order Completed", messageId: "m-1", userId: "u-1", properties: properties, traits: properties,
    timestamp: now)
private let context = EvaluationContext(event: event, profile: properties, params: ["limit": .int(5)], now: now)
private let scope = ExpressionScope(params: ["limit": .int(5)])

@main
enum FuzzExpression {
    static func main() { runFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let source = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    if let compiled = try? CompiledExpression.compile(source, scope: scope) {
        _ = compiled.evaluate(context)
    }
    return 0
}

import EngineCore
import FuzzSupport
import MessageTemplates

// A message template (connectors/templates/): the strict Mustache parser; what parses is rendered
// with every escaping against a context with sections, lists and missing names.
private let context: Value = .object([
    "customer": .object(["first_name": .string("Ana <b>&\"'"), "email": .string("ana@example.com")]),
    "items": .list([.object(["name": .string("Shoe"), "price": .double(59.9)]), .object(["name": .string("Sock")])]),
    "empty": .list([]), "flag": .bool(true), "off": .bool(false), "count": .int(2), "nothing": .null,
    "url": .string("https://example.com/a b?c=d&e"), "text": .string("line\u{0}\u{1F}\u{7F}\"\\/é😀"),
])

@main
enum FuzzTemplate {
    static func main() { runFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let source = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    if let template = try? MessageTemplate(source: source, name: "fuzz") {
        for escaping in [Escaping.html, .json, .url, .none] {
            _ = try? template.render(context, escaping: escaping)
        }
    }
    return 0
}

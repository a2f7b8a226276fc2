import Benchmark
import EngineCore
import Foundation
import MessageTemplates
import Mustache

/// MessageTemplates' own Mustache renderer against hummingbird-project/swift-mustache on a
/// realistic email (subject, text, html; a list section, an optional section, HTML escaping):
/// parse and render (a template seen once), and render of a parsed template (what the
/// dispatcher does per message). The comparison is recorded in docs/templates.md.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    let fixture = EmailFixture()
    fixture.checkSameOutput()

    Benchmark("email parse+render, MessageTemplates") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? EmailFixture.ownTemplate().render(fixture.context))
        }
    }

    Benchmark("email parse+render, swift-mustache") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(EmailFixture.mustacheTemplates().map { $0.render(MustacheValue.any(fixture.context)) })
        }
    }

    let own = EmailFixture.ownTemplate()
    Benchmark("email render, MessageTemplates") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? own.render(fixture.context))
        }
    }

    let mustache = EmailFixture.mustacheTemplates()
    Benchmark("email render, swift-mustache (Value converted per message)") { benchmark in
        for _ in benchmark.scaledIterations {
            let context = MustacheValue.any(fixture.context)
            blackHole(mustache.map { $0.render(context) })
        }
    }

    let converted = MustacheValue.Converted(fixture.context)
    Benchmark("email render, swift-mustache (context converted once)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(mustache.map { $0.render(converted.value) })
        }
    }
}

/// An abandoned-cart email with three items, one of them with characters HTML must escape.
struct EmailFixture: Sendable {
    static let subject = "{{first_name}}, your cart at {{shop}} is waiting"
    static let text = """
        Hi {{first_name}},

        you left {{item_count}} items in your cart:
        {{#items}}
        - {{name}} x{{quantity}}: {{price}} EUR
        {{/items}}

        Total: {{total}} EUR
        {{#coupon}}
        Use code {{coupon}} for 10% off until {{coupon_expires}}.
        {{/coupon}}
        {{^coupon}}
        Free shipping on orders over 50 EUR.
        {{/coupon}}
        Finish your order: {{cart_url}}

        Unsubscribe: {{links.unsubscribe}}

        """
    static let html = """
        <html><body>
        <p>Hi {{first_name}},</p>
        <p>you left {{item_count}} items in your cart:</p>
        <ul>
        {{#items}}
          <li><a href="{{url}}">{{name}}</a> &times; {{quantity}}: {{price}} EUR</li>
        {{/items}}
        </ul>
        <p>Total: <b>{{total}} EUR</b></p>
        {{#coupon}}
        <p>Use code <code>{{coupon}}</code> for 10% off until {{coupon_expires}}.</p>
        {{/coupon}}
        <p><a href="{{cart_url}}">Finish your order</a></p>
        <p style="font-size:small"><a href="{{links.unsubscribe}}">Unsubscribe</a> from {{shop}} emails.</p>
        </body></html>

        """

    let context: Value

    init() {
        let items: [Value] = [
            [
                "name": "Trail Runner 3", "quantity": 1, "price": .double(129.9),
                "url": "https://shop.example/p/SKU-1942?ref=mail&c=42",
            ],
            [
                "name": "Socks \"Merino\" <3-pack> & liner", "quantity": 2, "price": .double(24.5),
                "url": "https://shop.example/p/SKU-0311?ref=mail&c=42",
            ],
            [
                "name": "Waterproof spray", "quantity": 1, "price": .double(9.95),
                "url": "https://shop.example/p/SKU-77",
            ],
        ]
        let message = MessageContext(
            variables: [
                "first_name": "Zoë", "shop": "Nordpeak", "item_count": 3, "items": .list(items),
                "total": .double(188.85), "coupon": "CART10", "coupon_expires": "Sunday",
                "cart_url": "https://shop.example/cart/C-88121?utm_source=nudge&utm_medium=email",
            ],
            profile: ["first_name": "Zoë", "email": "zoe@example.com"],
            message: .init(id: "m-1", scenario: "abandoned-cart", step: "remind", channel: "email"),
            unsubscribeLink: "https://nudge.example/u/eyJjIjoiY3VzdG9tZXItMTA0MiJ9.sig"
        )
        self.context = message.value
    }

    static func ownTemplate() -> ChannelTemplate {
        let parts = ["subject": subject, "text": text, "html": html].mapValues {
            // The sources are constants known to parse.
            try! MessageTemplate(source: $0, name: "abandoned-cart/email")
        }
        return ChannelTemplate(name: "abandoned-cart", channel: "email", parts: parts)
    }

    /// subject, text, html; swift-mustache escapes HTML unless told the content is text.
    static func mustacheTemplates() -> [MustacheTemplate] {
        [
            try! MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + subject),
            try! MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}\n" + text),
            try! MustacheTemplate(string: html),
        ]
    }

    /// Both renderers must produce the same text, or the comparison is meaningless.
    func checkSameOutput() {
        let own = (try? Self.ownTemplate().render(context)) ?? RenderedParts([:])
        let theirs = Self.mustacheTemplates().map { $0.render(MustacheValue.any(context)) }
        let ours = [own["subject"] ?? "", own["text"] ?? "", own["html"] ?? ""]
        guard ours == theirs else {
            fatalError("the renderers differ:\n--- MessageTemplates\n\(ours)\n--- swift-mustache\n\(theirs)")
        }
    }
}

/// Value as swift-mustache reads it: dictionaries and arrays of `Any`, instants and spans as
/// MessageTemplates writes them, null left out (missing).
enum MustacheValue {
    /// A converted context kept across iterations (its dictionaries hold only value types).
    struct Converted: @unchecked Sendable {
        let value: Any
        init(_ value: Value) { self.value = MustacheValue.any(value) }
    }

    static func any(_ value: Value) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let bool): return bool
        case .int(let int): return int
        case .double(let double): return double
        case .string(let string): return string
        case .timestamp, .span: return value.plainText
        case .list(let items): return items.map(any)
        case .object(let fields): return fields.compactMapValues { $0.isNull ? nil : any($0) }
        }
    }
}

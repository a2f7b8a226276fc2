import EngineCore
import RuleFileReader
import MessageTemplates
import Testing

/// The real `connectors/templates` against the real `rules/`: every send of every sample
/// scenario finds its template, and the template renders with exactly the variables that send
/// declares (plus `message` and, for email, `links`). A template using a variable its scenario
/// does not send fails here, not at a customer.
@Suite("Sample templates render for every sample scenario")
struct SampleTemplateTests {
    /// The parts each channel's connector needs.
    static let requiredParts: [String: [String]] = [
        "email": ["html", "subject", "text"], "sms": ["text"], "push": ["body", "title"],
    ]

    @Test func everySendOfTheSampleScenariosRendersItsTemplate() throws {
        let rules = RuleFiles.load(paths: [TemplateTestSupport.rulesDirectory])
        #expect(rules.errors.isEmpty, "\(rules.errors)")
        let catalog = try TemplateCatalog.load(directory: TemplateTestSupport.templatesDirectory)
        let sends = SampleCheck.sends(of: rules.scenarios)
        #expect(!sends.isEmpty)
        let problems = sends.flatMap { SampleCheck.problems(of: $0, in: catalog, requiredParts: Self.requiredParts) }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func everySampleTemplateIsUsedByAScenario() throws {
        let rules = RuleFiles.load(paths: [TemplateTestSupport.rulesDirectory])
        let catalog = try TemplateCatalog.load(directory: TemplateTestSupport.templatesDirectory)
        let used = Set(SampleCheck.sends(of: rules.scenarios).map { "\($0.spec.template)/\($0.spec.channel)" })
        let defined = catalog.templateNames.flatMap { name in catalog.channels(of: name).map { "\(name)/\($0)" } }
        #expect(Set(defined) == used)
    }

    @Test func abandonedCartTextHasNoBlankLinesFromTags() throws {
        let catalog = try TemplateCatalog.load(directory: TemplateTestSupport.templatesDirectory)
        let email = try #require(catalog.template(named: "abandoned-cart", channel: "email"))
        let context = MessageContext(
            variables: [
                "items": [
                    ["name": "Shoes", "sku": "S1", "price": 49.5], ["name": "Socks", "sku": "S2", "price": nil],
                ],
                "cart_id": "c-1",
            ],
            profile: [:],
            message: .init(id: "m-1", scenario: "abandoned-cart", step: "email_cart", channel: "email"),
            unsubscribeLink: "https://u.example.com/x?a=1&b=2")
        let rendered = try email.render(context.value)
        #expect(
            rendered["text"] == """
                Hi,

                these are still waiting in your cart:
                - Shoes (49.5)
                - Socks

                Finish your order: https://shop.example.com/cart/c-1

                Unsubscribe: https://u.example.com/x?a=1&b=2

                """)
        #expect(rendered["html"]?.contains("<a href=\"https://u.example.com/x?a=1&amp;b=2\">Unsubscribe</a>") == true)
    }

    /// The check itself must catch a template using a variable its send does not declare.
    @Test func theCheckCatchesAnUndeclaredVariable() throws {
        let yaml = """
            id: check
            version: 1
            trigger:
              event: Signed Up
            start: hello
            steps:
              hello:
                send:
                  channel: sms
                  template: hello
                  variables:
                    first_name: profile.first_name
            """
        let scenario = try ScenarioLoader.load(yaml: yaml, file: "check.yaml").get()
        let send = try #require(SampleCheck.sends(of: [scenario]).first)
        let good = TemplateCatalog(
            try TemplateFile.parse(yaml: "sms:\n  text: Hi {{first_name}}\n", file: "h", name: "hello"))
        #expect(SampleCheck.problems(of: send, in: good, requiredParts: Self.requiredParts).isEmpty)
        let undeclared = TemplateCatalog(
            try TemplateFile.parse(yaml: "sms:\n  text: Hi {{first_name}}, {{code}}\n", file: "h", name: "hello"))
        #expect(
            SampleCheck.problems(of: send, in: undeclared, requiredParts: Self.requiredParts).contains {
                $0.contains("'code'")
            })
        let optional = TemplateCatalog(
            try TemplateFile.parse(yaml: "sms:\n  text: Hi{{#nick}} {{nick}}{{/nick}}\n", file: "h", name: "hello"))
        #expect(!SampleCheck.problems(of: send, in: optional, requiredParts: Self.requiredParts).isEmpty)
        let wrongChannel = TemplateCatalog(
            try TemplateFile.parse(yaml: "push:\n  title: a\n  body: b\n", file: "h", name: "hello"))
        #expect(!SampleCheck.problems(of: send, in: wrongChannel, requiredParts: Self.requiredParts).isEmpty)
    }
}

/// Checks one send step of a scenario against the template catalog.
enum SampleCheck {
    struct Send {
        var scenario: Scenario
        var step: String
        var spec: SendSpec
    }

    static func sends(of scenarios: [Scenario]) -> [Send] {
        scenarios.sorted { $0.id < $1.id }.flatMap { scenario in
            scenario.stepOrder.compactMap { step -> Send? in
                guard case .send(let spec, _) = scenario.steps[step]?.kind else { return nil }
                return Send(scenario: scenario, step: step, spec: spec)
            }
        }
    }

    static func problems(of send: Send, in catalog: TemplateCatalog, requiredParts: [String: [String]]) -> [String] {
        let spec = send.spec
        let at = "\(send.scenario.id) step '\(send.step)' (\(spec.template), \(spec.channel))"
        guard let template = catalog.template(named: spec.template, channel: spec.channel) else {
            return ["\(at): no such template for the channel"]
        }
        var problems: [String] = []
        if let required = requiredParts[spec.channel], template.partNames != required {
            problems.append("\(at): parts \(template.partNames), expected \(required)")
        }
        let declared = Set(spec.variables.map(\.0))
        for name in declared where MessageContext.reservedNames.contains(name) {
            problems.append("\(at): variable '\(name)' is shadowed by the reserved root of that name")
        }
        // Names read from the root only: they must be sent variables (or the dispatcher's own).
        let provided = declared.union(spec.channel == "email" ? ["message", "links"] : ["message"])
        for part in template.partNames {
            for reference in template.part(part)?.rootReferences ?? [] where !provided.contains(reference.rootName) {
                problems.append(
                    "\(at): \(part) uses '\(reference.name)' at \(reference.position), which the send does not declare")
            }
        }
        let context = MessageContext(
            variables: placeholders(for: send), profile: [:],
            message: .init(id: "msg-1", scenario: send.scenario.id, step: send.step, channel: spec.channel),
            unsubscribeLink: spec.channel == "email" ? "https://unsubscribe.example.com/?c=1&t=2" : nil)
        do {
            let rendered = try template.render(context.value)
            for part in rendered.partNames where rendered[part]?.contains("{{") == true {
                problems.append("\(at): \(part) still contains '{{' after rendering")
            }
            if let html = rendered["html"], html.contains("<first_name>") {
                problems.append("\(at): html shows a variable unescaped")
            }
        } catch {
            problems.append("\(at): \(error)")
        }
        return problems
    }

    /// A value for each declared variable, shaped like what the engine will send: a digest's
    /// list holds objects with the digest's item fields; typed expressions get a value of their
    /// type; everything else a string with characters that need HTML escaping.
    static func placeholders(for send: Send) -> [String: Value] {
        var digestFields: [String: [String]] = [:]
        for step in send.scenario.steps.values {
            if case .digest(let digest, _) = step.kind { digestFields[digest.variable] = digest.item.map(\.0) }
        }
        var values: [String: Value] = [:]
        for (name, expression) in send.spec.variables {
            if expression.source.hasPrefix("instance."),
                let fields = digestFields[String(expression.source.dropFirst("instance.".count))]
            {
                values[name] = .list(
                    (1...2).map { index in
                        .object(Dictionary(uniqueKeysWithValues: fields.map { ($0, .string("<\($0) \(index)>")) }))
                    })
                continue
            }
            values[name] =
                switch expression.type {
                case .timestamp: .timestamp(Timestamp(milliseconds: 1_714_557_600_000))
                case .number: .int(7)
                case .span: .span(.hours(2))
                case .bool: .bool(true)
                case .list: .list([.string("<\(name) 1>"), .string("<\(name) 2>")])
                default: .string("<\(name)>")
                }
        }
        return values
    }
}

import EngineCore
import Feedback
import MessageTemplates
import Testing

@testable import Dispatcher

extension Unit {
    @Suite("Rendering outbound messages")
    struct MessageRendererTests {
        static let signer = TrackingTokenSigner(secret: "tracking-secret-for-tests")
        static let links = TrackingLinks(baseURL: "https://t.example.com", signer: signer)

        static func catalog() throws -> TemplateCatalog {
            func template(_ name: String, _ channel: String, _ parts: [String: String]) throws -> ChannelTemplate {
                ChannelTemplate(
                    name: name, channel: channel,
                    parts: try parts.mapValues { try MessageTemplate(source: $0, name: "\(name)/\(channel)") })
            }
            return TemplateCatalog([
                try template(
                    "welcome", "email",
                    [
                        "subject": "Welcome, {{first_name}}",
                        "text": "Hi {{first_name}} ({{profile.email}}), message {{message.id}} of {{message.scenario}}"
                            + "/{{message.step}} on {{message.channel}}.{{#links}} Unsubscribe: {{links.unsubscribe}}{{/links}}",
                        "html": "<p>Hi {{first_name}}</p><a href=\"{{links.unsubscribe}}\">Unsubscribe</a>",
                    ]),
                try template("welcome", "sms", ["text": "Hi {{first_name}}: {{code}}"]),
                try template("optional", "email", ["text": "Hello{{#first_name}} {{first_name}}{{/first_name}}"]),
            ])
        }

        static func renderer(links: TrackingLinks? = links) throws -> MessageRenderer {
            MessageRenderer(templates: try catalog(), links: links)
        }

        @Test func rendersEveryPartFromVariablesProfileMessageAndLinks() throws {
            let message = try Unit.outbound(variables: ["first_name": "Ada <3"])
            let rendered = try Self.renderer().render(message)
            #expect(rendered.message == message)
            #expect(rendered.parts["subject"] == "Welcome, Ada <3")
            let text = try #require(rendered.parts["text"])
            #expect(
                text.hasPrefix(
                    "Hi Ada <3 (ada@example.com), message m-1 of onboarding/send_welcome on email. Unsubscribe: https://t.example.com/t/u/"
                ))
            // HTML parts are escaped, text parts are not.
            #expect(
                rendered.parts["html"]?.hasPrefix("<p>Hi Ada &lt;3</p><a href=\"https://t.example.com/t/u/") == true)
        }

        @Test func theContextHoldsVariablesProfileMessageAndTheUnsubscribeLink() throws {
            let message = try Unit.outbound(
                messageId: "m-9", customerId: "c-9", variables: ["first_name": "Ada", "order": ["total": 12.5]],
                profile: ["email": "ada@example.com", "tier": "gold"], subscription: "promotions")
            let context = try Self.renderer().render(message).context
            #expect(context["first_name"] == "Ada")
            #expect(context["order"] == ["total": 12.5])
            #expect(context["profile"] == ["email": "ada@example.com", "tier": "gold"])
            #expect(
                context["message"] == [
                    "id": "m-9", "scenario": "onboarding", "step": "send_welcome", "channel": "email",
                ])
            let link = try #require(context["links"]?[member: "unsubscribe"].stringValue)
            let prefix = "https://t.example.com/t/u/"
            #expect(link.hasPrefix(prefix))
            #expect(
                try Self.signer.verify(link.dropFirst(prefix.count), as: .unsubscribe)
                    == TrackingToken(
                        kind: .unsubscribe, messageId: "m-9", customerId: "c-9", channel: "email", topic: "promotions"))
        }

        @Test func withoutTrackingThereIsNoLinksRoot() throws {
            let renderer = try Self.renderer(links: nil)
            let message = try Unit.outbound(channel: "sms", variables: ["first_name": "Ada", "code": 1234])
            let rendered = try renderer.render(message)
            #expect(rendered.parts == ["text": "Hi Ada: 1234"])
            #expect(rendered.context["links"] == nil)
            // The email's html part needs the link: without tracking it cannot be rendered.
            let email = try Unit.outbound(variables: ["first_name": "Ada"])
            let failure = #expect(throws: MessageRenderer.Failure.self) { try renderer.render(email) }
            #expect(
                failure?.reason.contains("missing variable 'links.unsubscribe'") == true,
                "\(String(describing: failure))")
        }

        @Test func theReservedRootsShadowSendVariablesOfTheSameName() throws {
            let message = try Unit.outbound(
                variables: ["first_name": "Ada", "profile": "spoofed", "message": "spoofed"],
                profile: ["email": "a@b.c"])
            let context = try Self.renderer().render(message).context
            #expect(context["profile"] == ["email": "a@b.c"])
            #expect(context["message"]?[member: "id"] == "m-1")
        }

        @Test func aMissingVariableFailsTheMessageNamingIt() throws {
            let message = try Unit.outbound(variables: [:])
            let failure = #expect(throws: MessageRenderer.Failure.self) { try Self.renderer().render(message) }
            let reason = try #require(failure?.reason)
            #expect(reason.hasPrefix("template welcome (email): "))
            #expect(reason.contains("missing variable 'first_name'"))
        }

        @Test func aNullVariableFailsTooButAnOptionalSectionDoesNot() throws {
            let null = try Unit.outbound(variables: ["first_name": nil])
            let failure = #expect(throws: MessageRenderer.Failure.self) { try Self.renderer().render(null) }
            #expect(failure?.reason.contains("variable 'first_name' is null") == true)

            let optional = try Unit.outbound(template: "optional", variables: [:])
            #expect(try Self.renderer().render(optional).parts == ["text": "Hello"])
        }

        @Test func aMissingProfileFieldNamesTheDottedPath() throws {
            let message = try Unit.outbound(variables: ["first_name": "Ada"], profile: nil)
            let failure = #expect(throws: MessageRenderer.Failure.self) { try Self.renderer().render(message) }
            #expect(failure?.reason.contains("missing variable 'profile.email'") == true)
        }

        @Test func anUnknownTemplateOrChannelFails() throws {
            let renderer = try Self.renderer()
            #expect(throws: MessageRenderer.Failure(reason: "template goodbye has no email version")) {
                try renderer.render(try Unit.outbound(template: "goodbye"))
            }
            #expect(throws: MessageRenderer.Failure(reason: "template welcome has no push version")) {
                try renderer.render(try Unit.outbound(channel: "push"))
            }
        }

        /// What the SMTP connector does with a rendered email: the renderer's escaped HTML goes
        /// through click tracking and every link still leads where the template said.
        @Test func renderedHTMLLinksSurviveClickTracking() throws {
            let catalog = TemplateCatalog([
                ChannelTemplate(
                    name: "cart", channel: "email",
                    parts: [
                        "html": try MessageTemplate(source: #"<a href="{{cart_url}}">Cart</a>"#, name: "cart/email")
                    ])
            ])
            let url = "https://shop.example.com/cart?id=7&utm_source=nudge&q=\"x\""
            let message = try Unit.outbound(template: "cart", variables: ["cart_url": .string(url)])
            let html = try #require(
                try MessageRenderer(templates: catalog, links: Self.links).render(message).parts["html"])
            let tracked = EmailTracking(links: Self.links, opens: false, clicks: true)
                .apply(toHTML: html, messageId: "m-1", customerId: "c-1", channel: "email", keep: [])
            let prefix = "<a href=\"https://t.example.com/t/c/"
            #expect(tracked.hasPrefix(prefix))
            let token = try #require(tracked.dropFirst(prefix.count).split(separator: "\"").first)
            #expect(try Self.signer.verify(token, as: .click).url == url)
        }
    }
}

import NudgeRecords
import ProcessSupport
import EngineCore
import Feedback
import MessageTemplates

/// Renders an outbound message's template for its channel. The render context is the send's
/// `variables` (evaluated by the engine from event, profile and instance) at the top level, plus
/// `profile`, `message` and `links.unsubscribe` (`MessageContext`, docs/templates.md). A variable the template
/// needs and the context lacks fails the message; it never goes out with a hole in it.
public struct MessageRenderer: Sendable {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    private let templates: TemplateCatalog
    private let links: TrackingLinks?

    public init(templates: TemplateCatalog, links: TrackingLinks?) {
        self.templates = templates
        self.links = links
    }

    public func render(_ message: OutboundMessage) throws(Failure) -> RenderedMessage {
        guard let template = templates.template(named: message.template, channel: message.channel) else {
            throw Failure(reason: "template \(message.template) has no \(message.channel) version")
        }
        let context = context(for: message)
        do {
            let parts = try template.render(.object(context))
            return RenderedMessage(message: message, parts: parts.texts, context: context)
        } catch {
            throw Failure(reason: "template \(message.template) (\(message.channel)): \(error)")
        }
    }

    func context(for message: OutboundMessage) -> [String: Value] {
        let unsubscribe = links?.unsubscribe(
            messageId: message.messageId, customerId: message.customerId, channel: message.channel,
            topic: message.subscription)
        let context = MessageContext(
            variables: message.variables, profile: message.profile,
            message: .init(
                id: message.messageId, scenario: message.scenario, step: message.step, channel: message.channel),
            unsubscribeLink: unsubscribe)
        guard case .object(let root) = context.value else { return message.variables }
        return root
    }
}

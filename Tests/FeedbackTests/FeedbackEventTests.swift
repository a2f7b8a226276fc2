import EngineCore
import Feedback
import Testing

@Suite("Normalized feedback events")
struct FeedbackEventTests {
    static let at = Timestamp(milliseconds: 1_714_557_600_250)

    static func event(
        _ status: DeliveryFeedback.Status, channel: String? = "email", reason: String? = nil, bounceType: String? = nil,
        url: String? = nil, topic: String? = nil, discriminator: String? = nil
    ) -> FeedbackEvent {
        FeedbackEvent(
            status: status, messageId: "m-1", customerId: "c-1", channel: channel, connector: "email", at: at,
            reason: reason, bounceType: bounceType, url: url, topic: topic, discriminator: discriminator)
    }

    @Test func aDeliveryBecomesASegmentTrackEvent() {
        #expect(
            Self.event(.delivered).segmentEvent
                == [
                    "type": "track", "event": "Message Delivered", "messageId": "fb:delivered:m-1", "userId": "c-1",
                    "timestamp": "2024-05-01T10:00:00.250Z",
                    "properties": [
                        "message_id": "m-1", "feedback": "message_delivered", "connector": "email", "channel": "email",
                    ],
                ])
    }

    @Test(arguments: [
        (DeliveryFeedback.Status.delivered, "Message Delivered", "message_delivered"),
        (.failed, "Message Failed", "message_failed"), (.opened, "Message Opened", "message_opened"),
        (.clicked, "Message Clicked", "message_clicked"), (.bounced, "Message Bounced", "message_bounced"),
        (.complained, "Message Complained", "message_complained"), (.unsubscribed, "Unsubscribed", "unsubscribed"),
    ])
    func everyStatusHasItsEventNameAndNormalizedType(
        status: DeliveryFeedback.Status, eventName: String, normalized: String
    ) {
        let event = Self.event(status)
        #expect(event.normalizedType == normalized)
        #expect(event.segmentEvent[member: "event"] == .string(eventName))
        #expect(event.segmentEvent[member: "properties"][member: "feedback"] == .string(normalized))
    }

    @Test func optionalDetailsAppearOnlyWhenSet() {
        let bounce = Self.event(.bounced, channel: nil, reason: "mailbox full", bounceType: "soft").segmentEvent
        #expect(
            bounce[member: "properties"]
                == [
                    "message_id": "m-1", "feedback": "message_bounced", "connector": "email", "reason": "mailbox full",
                    "bounce_type": "soft",
                ])
        let click = Self.event(.clicked, url: "https://shop.example.com/").segmentEvent
        #expect(click[member: "properties"][member: "url"] == "https://shop.example.com/")
        #expect(click[member: "properties"][member: "topic"] == .null)
        let unsubscribe = Self.event(.unsubscribed, topic: "newsletter").segmentEvent
        #expect(unsubscribe[member: "properties"][member: "topic"] == "newsletter")
        #expect(unsubscribe[member: "properties"][member: "url"] == .null)
    }

    @Test func theEventIdIsDeterministicAndSeparatesDiscriminators() {
        let first = Self.event(.clicked, url: "https://a.example.com/", discriminator: "https://a.example.com/")
        let again = Self.event(.clicked, url: "https://a.example.com/", discriminator: "https://a.example.com/")
        let other = Self.event(.clicked, url: "https://b.example.com/", discriminator: "https://b.example.com/")
        #expect(first.eventId == again.eventId)
        #expect(first.eventId != other.eventId)
        #expect(first.eventId.hasPrefix("fb:clicked:m-1:"))
        #expect(first.eventId == "fb:clicked:m-1:" + StableHash.hex(StableHash.fnv1a64("https://a.example.com/")))
        #expect(first.segmentEvent[member: "messageId"] == .string(first.eventId))
        // No or an empty discriminator: the plain id, so a provider's retried callback collapses.
        #expect(Self.event(.clicked).eventId == "fb:clicked:m-1")
        #expect(Self.event(.clicked, discriminator: "").eventId == "fb:clicked:m-1")
        // The status is part of the id: a delivery and an open of one message are two events.
        #expect(Self.event(.delivered).eventId != Self.event(.opened).eventId)
    }

    @Test func theEngineReadsTheSegmentEventBack() throws {
        let feedback = Self.event(.unsubscribed, channel: "sms", topic: "promotions")
        guard case .object(let object) = feedback.segmentEvent else {
            Issue.record("segmentEvent is not an object")
            return
        }
        let event = try Event(segment: object, fallbackMessageId: "unused")
        #expect(event.kind == .track)
        #expect(event.name == DeliveryFeedback.Status.unsubscribed.eventName)
        #expect(event.messageId == feedback.eventId)
        #expect(event.userId == "c-1")
        #expect(event.timestamp == Self.at)
        #expect(event.properties["topic"] == "promotions")
        #expect(event.properties["channel"] == "sms")
    }

    @Test func aFeedbackEventAndTheCoresDeliveryFeedbackAgreeOnTheId() {
        // The engine's own feedback input and the dispatcher's feedback event for the same
        // message must dedupe against each other.
        let core = DeliveryFeedback(
            messageId: "m-1", status: .delivered, channel: "email", scenario: "s", step: "x", at: Self.at)
        #expect(core.event(customerId: "c-1").messageId == Self.event(.delivered).eventId)
        #expect(core.event(customerId: "c-1").name == Self.event(.delivered).segmentEvent[member: "event"].stringValue)
    }
}

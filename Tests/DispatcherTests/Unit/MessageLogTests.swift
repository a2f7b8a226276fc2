import SharedStores
import EngineCore
import Feedback
import NudgeKafka
import Testing

@testable import Dispatcher

extension Unit {
    @Suite("Message log entries and statuses")
    struct MessageLogTests {
        @Test func statusesRankByHowFarAlongTheMessageGot() {
            let progression: [MessageStatus] = [.deferred, .queued, .sent, .delivered, .opened, .clicked]
            #expect(zip(progression, progression.dropFirst()).allSatisfy { $0.rank < $1.rank })
            for negative in [MessageStatus.failed, .bounced, .suppressed] {
                #expect(negative.rank > MessageStatus.clicked.rank, "\(negative)")
            }
            // Complaints and unsubscribes are history: they never become the message's status.
            for history in [MessageStatus.complained, .unsubscribed] {
                #expect(
                    MessageStatus.allCases.filter { $0 != .complained && $0 != .unsubscribed }.allSatisfy {
                        $0.rank > history.rank
                    })
            }
        }

        @Test(arguments: [
            ([MessageStatus.queued, .sent, .delivered, .opened], MessageStatus.opened),
            ([.queued, .sent, .bounced], .bounced),
            ([.queued, .sent, .delivered, .unsubscribed], .delivered),
            ([.queued, .sent, .opened, .complained, .clicked], .clicked),
            ([.deferred, .queued], .queued),
            ([.queued, .sent, .delivered, .clicked, .failed], .failed),
        ])
        func theShownStatusIsTheHighestRankedOfTheHistory(history: [MessageStatus], shown: MessageStatus) {
            #expect(history.max { $0.rank < $1.rank } == shown)
            #expect(history.reversed().max { $0.rank < $1.rank } == shown)
        }

        @Test func anEntryIsKeyedByItsStatusUnlessGivenAKey() throws {
            let at = Timestamp(milliseconds: 1)
            #expect(
                MessageLogEntry(messageId: "m", customerId: "c", message: nil, status: .sent, at: at).entryKey == "sent"
            )
            #expect(
                MessageLogEntry(
                    messageId: "m", customerId: "c", message: nil, status: .deferred, at: at, entryKey: "deferred@5"
                )
                .entryKey == "deferred@5")
        }

        @Test func theMessageColumnsComeFromTheOutboundRecord() throws {
            let message = MessageLogEntry.Message(try Unit.outbound(channel: "sms", template: "welcome"))
            #expect(message.scenario == "onboarding")
            #expect(message.scenarioVersion == 3)
            #expect(message.step == "send_welcome")
            #expect(message.instance == "i-1")
            #expect(message.channel == "sms")
            #expect(message.template == "welcome")
            #expect(message.createdAt == Timestamp(milliseconds: 1_714_557_600_000))
        }
    }

    @Suite("Feedback events to message log entries")
    struct FeedbackLogEntryTests {
        static let at = Timestamp(milliseconds: 1_714_557_600_000)

        /// The engine-side event of a feedback event, read the way the feedback topic is read.
        static func event(of feedback: FeedbackEvent) throws -> Event {
            guard case .object(let object) = feedback.segmentEvent else {
                throw SegmentFormatError(.badField, "segmentEvent is not an object")
            }
            return try Event(segment: object, fallbackMessageId: "unused")
        }

        @Test(arguments: [
            (DeliveryFeedback.Status.delivered, MessageStatus.delivered), (.failed, .failed), (.opened, .opened),
            (.clicked, .clicked), (.bounced, .bounced), (.complained, .complained), (.unsubscribed, .unsubscribed),
        ])
        func everyFeedbackStatusMapsToItsLogStatus(status: DeliveryFeedback.Status, logged: MessageStatus) throws {
            let feedback = FeedbackEvent(
                status: status, messageId: "m-1", customerId: "c-1", channel: "email", connector: "email", at: Self.at)
            let entry = try #require(FeedbackLogService.entry(for: try Self.event(of: feedback)))
            #expect(entry.status == logged)
            #expect(entry.messageId == "m-1")
            #expect(entry.customerId == "c-1")
            #expect(entry.connector == "email")
            #expect(entry.at == Self.at)
            #expect(entry.message == nil)
            #expect(entry.entryKey == feedback.eventId)
            #expect(entry.detail.isEmpty)
        }

        @Test func aBounceKeepsItsReasonAndType() throws {
            let feedback = FeedbackEvent(
                status: .bounced, messageId: "m-1", customerId: "c-1", channel: "sms", connector: "sms", at: Self.at,
                reason: "number unknown", bounceType: "hard", discriminator: "ev-77")
            let entry = try #require(FeedbackLogService.entry(for: try Self.event(of: feedback)))
            #expect(
                entry
                    == MessageLogEntry(
                        messageId: "m-1", customerId: "c-1", message: nil, status: .bounced, reason: "number unknown",
                        connector: "sms", at: Self.at, entryKey: feedback.eventId, detail: ["bounce_type": "hard"]))
        }

        @Test func twoClicksOnTwoLinksAreTwoEntriesAndARepeatIsTheSameEntry() throws {
            func click(_ url: String) throws -> MessageLogEntry? {
                FeedbackLogService.entry(
                    for: try Self.event(
                        of: FeedbackEvent(
                            status: .clicked, messageId: "m-1", customerId: "c-1", channel: "email", connector: "email",
                            at: Self.at, url: url, discriminator: url)))
            }
            let a = try #require(try click("https://a.example.com/"))
            let b = try #require(try click("https://b.example.com/"))
            #expect(a.detail == ["url": "https://a.example.com/"])
            #expect(a.entryKey != b.entryKey)
            #expect(try click("https://a.example.com/")?.entryKey == a.entryKey)
        }

        @Test func anUnsubscribeKeepsItsTopic() throws {
            let feedback = FeedbackEvent(
                status: .unsubscribed, messageId: "m-1", customerId: "c-1", channel: "email", connector: "email",
                at: Self.at, topic: "newsletter")
            let entry = try #require(FeedbackLogService.entry(for: try Self.event(of: feedback)))
            #expect(entry.detail == ["topic": "newsletter"])
        }

        @Test func otherEventsOnTheTopicAreNotEntries() {
            let at = Self.at
            #expect(
                FeedbackLogService.entry(
                    for: Event(
                        name: "Order Completed", messageId: "e-1", userId: "c-1", properties: ["message_id": "m-1"],
                        timestamp: at))
                    == nil)
            // A feedback name without the message it is about.
            #expect(
                FeedbackLogService.entry(
                    for: Event(name: "Message Delivered", messageId: "e-2", userId: "c-1", timestamp: at)) == nil)
            // A message id that is not text.
            #expect(
                FeedbackLogService.entry(
                    for: Event(
                        name: "Message Delivered", messageId: "e-3", userId: "c-1", properties: ["message_id": 7],
                        timestamp: at))
                    == nil)
            // No customer id: nothing to file it under.
            #expect(
                FeedbackLogService.entry(
                    for: Event(
                        name: "Message Delivered", messageId: "e-4", anonymousId: "a-1",
                        properties: ["message_id": "m-1"],
                        timestamp: at)) == nil)
        }
    }

    @Suite("Committed offsets of a dispatched batch")
    struct NextOffsetsTests {
        static func record(_ topic: String, _ partition: Int32, _ offset: Int64) -> KafkaMessage {
            KafkaMessage(topic: topic, partition: partition, offset: offset, key: nil, value: [])
        }

        @Test func commitsOnePastTheLastRecordOfEveryPartition() {
            let batch = [
                Self.record("outbound", 0, 10), Self.record("outbound", 1, 4), Self.record("outbound", 0, 11),
                Self.record("outbound", 0, 12), Self.record("other", 0, 99), Self.record("outbound", 1, 5),
            ]
            #expect(
                Set(batch.nextOffsets) == [
                    KafkaTopicPartitionOffset(topic: "outbound", partition: 0, offset: 13),
                    KafkaTopicPartitionOffset(topic: "outbound", partition: 1, offset: 6),
                    KafkaTopicPartitionOffset(topic: "other", partition: 0, offset: 100),
                ])
        }

        @Test func anEmptyBatchCommitsNothing() {
            #expect([KafkaMessage]().nextOffsets.isEmpty)
        }
    }
}

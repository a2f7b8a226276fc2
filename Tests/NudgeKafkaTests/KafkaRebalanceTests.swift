import Foundation
import NudgeKafka
import Synchronization
import Testing

@Suite("Kafka rebalance", .serialized)
struct KafkaRebalanceTests {
    /// What one member saw, updated by the task that drives its events.
    final class Member: Sendable {
        struct State {
            var assignment: Set<KafkaTopicPartition> = []
            var assigns = 0
            var revokes = 0
            var assignsAfterRevoke = 0
            var acknowledged = 0
            var revokedButFetched = 0
            var nextOffsets: [KafkaTopicPartition: KafkaTopicPartitionOffset] = [:]
            var commitsDuringRevoke = 0
            var commitFailures: [String] = []
            var messagesSeen = 0
        }

        let state = Mutex(State())
        let consumer: KafkaConsumer

        init(_ consumer: KafkaConsumer) { self.consumer = consumer }

        var snapshot: State { state.withLock { $0 } }

        /// Drives the consumer until it is closed; acknowledges revokes after a commit, as the app would.
        func run() async throws {
            for try await event in consumer.events {
                switch event {
                case .assigned(let partitions):
                    state.withLock {
                        $0.assignment.formUnion(partitions)
                        $0.assigns += 1
                        if $0.revokes > 0 { $0.assignsAfterRevoke += 1 }
                    }
                case .revoked(let partitions, let revocation):
                    state.withLock {
                        $0.assignment.subtract(partitions)
                        $0.revokes += 1
                    }
                    // Hand-over: commit what was processed on the revoked partitions, then acknowledge.
                    let offsets = state.withLock { state in partitions.compactMap { state.nextOffsets[$0] } }
                    do {
                        try await consumer.commit(offsets)
                        if !offsets.isEmpty { state.withLock { $0.commitsDuringRevoke += 1 } }
                    } catch {
                        state.withLock { $0.commitFailures.append("\(error)") }
                    }
                    revocation.acknowledge()
                    if revocation.isAcknowledged { state.withLock { $0.acknowledged += 1 } }
                case .messages(let messages):
                    state.withLock { state in
                        state.revokedButFetched +=
                            messages.filter { !state.assignment.contains($0.topicPartition) }.count
                        for message in messages { state.nextOffsets[message.topicPartition] = message.nextOffset }
                        state.messagesSeen += messages.count
                    }
                }
            }
        }
    }

    @Test(
        "two members split the partitions; the first sees a revoke and a new assign",
        .timeLimit(.minutes(2)),
        arguments: [KafkaRebalanceStrategy.eager, .cooperativeSticky]
    )
    func membersSplitPartitions(strategy: KafkaRebalanceStrategy) async throws {
        let topic = try await KafkaTestSupport.createTopic(partitions: 4)
        let group = KafkaTestSupport.uniqueName("split")
        let config = KafkaTestSupport.consumerConfig(group: group, topic: topic, strategy: strategy)
        let all = Set((0..<4).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) })

        let first = Member(try KafkaConsumer(config: config, logger: KafkaTestSupport.logger))
        let firstTask = Task { try await first.run() }
        let ownsAll = try await KafkaTestSupport.eventually(timeout: .seconds(40)) { first.snapshot.assignment == all }
        #expect(ownsAll, "first member never got all partitions: \(first.snapshot)")

        // The first member has processed work on every partition before the second joins ...
        let producer = try KafkaProducer(
            config: KafkaProducerConfig(client: KafkaTestSupport.client),
            logger: KafkaTestSupport.logger
        )
        _ = try await producer.send(
            (0..<400).map { KafkaOutgoingMessage(topic: topic, key: Array("k\($0)"), value: Array("\($0)")) }
        )
        let sawAll = try await KafkaTestSupport.eventually(timeout: .seconds(20)) { first.snapshot.messagesSeen >= 400 }
        #expect(sawAll)
        // ... and messages keep flowing during the rebalance, so a fetched-then-revoked one would show up.
        let traffic = Task {
            var sequence = 400
            while !Task.isCancelled {
                _ = try await producer.send(
                    (0..<8).map {
                        KafkaOutgoingMessage(topic: topic, key: Array("k\(sequence + $0)"), value: Array("\($0)"))
                    }
                )
                sequence += 8
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        let second = Member(try KafkaConsumer(config: config, logger: KafkaTestSupport.logger))
        let secondTask = Task { try await second.run() }
        let split = try await KafkaTestSupport.eventually(timeout: .seconds(60)) {
            let a = first.snapshot.assignment
            let b = second.snapshot.assignment
            return !a.isEmpty && !b.isEmpty && a.isDisjoint(with: b) && a.union(b) == all
                && first.snapshot.assignsAfterRevoke > 0
        }
        let firstSaw = first.snapshot
        let secondSaw = second.snapshot
        #expect(split, "no clean split: first \(firstSaw), second \(secondSaw)")
        #expect(firstSaw.revokes > 0)
        #expect(firstSaw.acknowledged == firstSaw.revokes)
        #expect(firstSaw.assignsAfterRevoke > 0)
        #expect(firstSaw.revokedButFetched == 0)
        #expect(firstSaw.commitsDuringRevoke > 0)
        #expect(firstSaw.commitFailures.isEmpty)
        #expect(secondSaw.revokedButFetched == 0)

        let secondWorks = try await KafkaTestSupport.eventually(timeout: .seconds(15)) {
            second.snapshot.messagesSeen > 0
        }
        #expect(secondWorks)
        traffic.cancel()
        _ = await traffic.result
        await producer.shutdown()
        await second.consumer.close()
        await first.consumer.close()
        try await secondTask.value
        try await firstTask.value
    }
}

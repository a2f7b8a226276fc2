import EngineCore
import NudgeRecords
import ProcessSupport
import Foundation

/// Applies a batch of inputs to loaded customer records with the pure core and turns the
/// effects into a `BatchPlan`. No I/O: the contact policy is part of the core's transition.
struct BatchPlanner {
    let engine: ScenarioEngine
    let partition: Int32
    let topics: EngineTopics
    let now: Timestamp

    private(set) var plan = BatchPlan()
    private var records: [String: CustomerRecord]
    /// Pending timers per customer as loaded, to compute what to add and remove at the end.
    private var timersBefore: [String: [PendingTimer]] = [:]
    /// Timers fired in this batch, per customer: removed from the store unless still expected.
    private var fired: [String: Set<String>] = [:]
    /// Where each customer's instances stood as loaded (scenario, step), for the `waiting` counters.
    private var instancesBefore: [String: [ReportPlace]] = [:]
    private let hour: String

    init(
        engine: ScenarioEngine, partition: Int32, topics: EngineTopics, now: Timestamp,
        records: [String: CustomerRecord]
    ) {
        self.engine = engine
        self.partition = partition
        self.topics = topics
        self.now = now
        self.records = records
        self.hour = ReportPlace.hourBucket(now)
        for (id, record) in records {
            timersBefore[id] = record.state.pendingTimers
            instancesBefore[id] = record.state.instances.map(ReportPlace.init)
        }
    }

    /// `claimed`: states of anonymous ids taken over by an identify of this batch, by anonymous id.
    mutating func apply(_ inputs: [WorkInput], claimed: [String: CustomerState]) throws {
        for input in inputs {
            try apply(input, claimed: claimed)
        }
        finishTimers()
        finishWaitingCounts()
    }

    private mutating func apply(_ input: WorkInput, claimed: [String: CustomerState]) throws {
        let customerId = input.customerId
        // Taken out and put back (not copied): the record and the commit stay uniquely referenced,
        // so their maps and lists grow in place instead of being copied per input.
        var record = records.removeValue(forKey: customerId) ?? .empty(customerId)
        defer { records[customerId] = record }
        if case .timer(let id, _) = input.kind {
            // A fired timer leaves the store whatever happens next; one the state still expects
            // is added back by `finishTimers`.
            plan.timerRemovals.append(RedisKeys.timerMember(customer: customerId, timer: id))
            fired[customerId, default: []].insert(id)
        }

        if let alias = record.alias {
            if case .event(let event) = input.kind { try forward(event, to: alias) }
            return
        }
        if let source = input.source, let applied = record.appliedOffsets[source.markerKey], source.offset <= applied {
            plan.stats.replaysSkipped += 1
            return
        }
        // A replan is for customers that exist: one erased since the scan found it stays erased.
        if case .replan = input.kind, record.version == 0 { return }

        let coreInput: Input
        switch input.kind {
        case .event(let event):
            if event.kind == .identify, let anonymousId = event.anonymousId, let visitor = claimed[anonymousId] {
                record.state = record.state.absorbing(visitor)
                // The visitor's instances were counted as waiting under the anonymous id.
                instancesBefore[customerId, default: []] += visitor.instances.map(ReportPlace.init)
            }
            coreInput = .event(event)
            plan.stats.eventsApplied += 1
        case .timer(let id, let due):
            coreInput = .timer(id: id)
            plan.stats.timersFired += 1
            plan.stats.timerLateness.append(.milliseconds(max(0, now.milliseconds - due.milliseconds)))
        case .replan:
            coreInput = .replan
            plan.stats.replanned += 1
        }

        let transition = engine.transition(record.state, coreInput, now: now)
        plan.stats.transitions += 1
        if case .replan = input.kind {
            // Most customers need nothing new: they are not written (nor their version moved,
            // which would make their next event's commit retry for nothing).
            if transition.effects.isEmpty, transition.state == record.state { return }
            plan.stats.replanChanged += 1
        }
        record.state = transition.state
        if let source = input.source { record.appliedOffsets[source.markerKey] = source.offset }

        var commit = takeCommit(for: customerId, version: record.version)
        defer { plan.commits[customerId] = commit }
        commit.state = record.state
        if let source = input.source { commit.offsets[source.markerKey] = source.offset }
        if case .event(let event) = input.kind { commit.events.append(event) }
        for effect in transition.effects {
            try handle(effect, commit: &commit)
        }
    }

    /// The customer's commit so far, removed from the plan (the caller puts it back).
    private mutating func takeCommit(for customerId: String, version: Int64) -> BatchPlan.CustomerCommit {
        if let existing = plan.commits.removeValue(forKey: customerId) { return existing }
        plan.order.append(customerId)
        return BatchPlan.CustomerCommit(
            customerId: customerId, version: version,
            state: CustomerState(customerId: customerId), offsets: [:], outbox: [],
            slotSets: [:], slotDeletes: [], events: [])
    }

    private mutating func handle(_ effect: Effect, commit: inout BatchPlan.CustomerCommit) throws {
        switch effect {
        case .send(let send):
            try record(send, decision: .send, commit: &commit)
            plan.stats.messages[send.channel, default: 0] += 1
        case .suppressed(let send, let reason):
            try record(send, decision: .suppress(reason: reason), commit: &commit)
        case .deferred(let send, let until, let reason):
            try record(send, decision: .deferUntil(until, reason: reason), commit: &commit)
        case .emitEvent(let emitted):
            let event = Event(
                name: emitted.name, messageId: emitted.messageId, userId: commit.customerId,
                properties: emitted.properties, timestamp: now)
            commit.outbox.append(
                OutboxRecord(
                    id: emitted.messageId, topic: topics.events, partition: partition, key: commit.customerId,
                    value: try RecordJSON.text(event.segmentObject)))
        case .showContent(let show):
            let content = SlotContent(
                payload: show.payload.mapValues(\.plainJSON), expiresAt: show.expiresAt, scenario: show.origin.scenario,
                step: show.origin.step, updatedAt: now)
            commit.slotSets[show.slot] = try RecordJSON.text(content.jsonValue)
            commit.slotDeletes.remove(show.slot)
        case .hideContent(let hide):
            commit.slotSets[hide.slot] = nil
            commit.slotDeletes.insert(hide.slot)
        case .entered(let ref):
            plan.stats.instancesEntered += 1
            commit.reports.append(.init(scenario: ref.scenario, hour: hour, field: "entered|\(ref.step)", delta: 1))
        case .heldOut(let ref, let arm):
            plan.stats.heldOut[arm.rawValue, default: 0] += 1
            commit.reports.append(.init(scenario: ref.scenario, hour: hour, field: "holdout|entered", delta: 1))
        case .wouldSuppress(let send, let rule):
            plan.stats.wouldSuppress[rule, default: 0] += 1
            commit.reports.append(
                .init(
                    scenario: send.origin.scenario, hour: hour, field: "would_suppress|\(rule)|\(send.origin.step)",
                    delta: 1))
        case .completed(let completion):
            plan.stats.instancesCompleted += 1
            if completion.reason.isConversion { plan.stats.conversions += 1 }
            commit.reports.append(
                .init(
                    scenario: completion.origin.scenario, hour: hour,
                    field: "completed|\(completion.reason.label)|\(completion.origin.step)", delta: 1))
            if completion.holdout != nil {
                // Counted beside the totals: treated = all minus holdout, for the uplift.
                commit.reports.append(
                    .init(
                        scenario: completion.origin.scenario, hour: hour,
                        field: "holdout|completed|\(completion.reason.label)", delta: 1))
            }
        case .scheduleTimer, .cancelTimer, .updateProfile:
            // Timers are reconciled from the final state (see finishTimers); profile changes are
            // already in the state.
            break
        }
    }

    /// Every decision travels on the outbound topic: the dispatcher sends what was `sent` and
    /// logs the others with their reason, so reports can say why a customer got nothing.
    private mutating func record(
        _ send: SendMessage, decision: PolicyDecision, commit: inout BatchPlan.CustomerCommit
    ) throws {
        plan.stats.decisions[decision.label, default: 0] += 1
        let id: String
        switch decision {
        case .send: id = send.messageId
        case .suppress: id = "\(send.messageId)#suppressed"
        case .deferUntil(let until, _): id = "\(send.messageId)#deferred@\(until.milliseconds)"
        }
        let message = OutboundMessage(send, profile: commit.state.profile, createdAt: now, policy: decision.label)
        commit.outbox.append(
            OutboxRecord(
                id: id, topic: topics.outbound, partition: partition, key: commit.customerId,
                value: try RecordJSON.text(message.jsonValue)))
    }

    /// The events of a merged anonymous id belong to the known customer.
    private mutating func forward(_ event: Event, to customerId: String) throws {
        plan.directRecords.append(try .forwarding(event, to: customerId, topic: topics.events))
        plan.stats.forwarded += 1
    }

    /// Timers are derived from state: whatever the final state expects and the store lacks is
    /// added; whatever the store has that the state no longer expects is removed.
    private mutating func finishTimers() {
        for customerId in plan.order {
            guard let commit = plan.commits[customerId] else { continue }
            let before = Dictionary(
                (timersBefore[customerId] ?? []).map { ($0.id, $0.at) }, uniquingKeysWith: { first, _ in first })
            let after = Dictionary(commit.state.pendingTimers.map { ($0.id, $0.at) }, uniquingKeysWith: { a, _ in a })
            let firedNow = fired[customerId] ?? []
            for (id, due) in after where before[id] != due || firedNow.contains(id) {
                plan.timerAdds.append((RedisKeys.timerMember(customer: customerId, timer: id), due))
            }
            for id in before.keys where after[id] == nil {
                plan.timerRemovals.append(RedisKeys.timerMember(customer: customerId, timer: id))
            }
        }
        // A fired timer the state scheduled again under the same id stays (with its new score).
        let added = Set(plan.timerAdds.map(\.member))
        plan.timerRemovals = Array(Set(plan.timerRemovals).subtracting(added)).sorted()
    }

    /// The live `waiting|<step>` counters follow each customer's instances from where they were
    /// loaded to where the batch left them.
    private mutating func finishWaitingCounts() {
        for customerId in plan.order {
            guard var commit = plan.commits[customerId] else { continue }
            var delta: [ReportPlace: Int] = [:]
            for place in instancesBefore[customerId] ?? [] { delta[place, default: 0] -= 1 }
            for instance in commit.state.instances { delta[ReportPlace(instance), default: 0] += 1 }
            for (place, change) in delta.sorted(by: { ($0.key.scenario, $0.key.step) < ($1.key.scenario, $1.key.step) })
            where change != 0 {
                commit.reports.append(
                    .init(scenario: place.scenario, hour: nil, field: "waiting|\(place.step)", delta: change))
            }
            plan.commits[customerId] = commit
        }
    }
}

/// Where an instance is, for the scenario reports.
struct ReportPlace: Hashable {
    var scenario: String
    var step: String

    init(_ instance: InstanceState) {
        self.scenario = instance.scenario
        self.step = instance.step
    }

    /// `yyyyMMddHH` in UTC.
    static func hourBucket(_ time: Timestamp) -> String {
        let text = ISO8601.format(time)  // 2026-11-22T07:41:44.000Z
        return String(text.prefix(13).filter(\.isNumber))
    }
}

/// The topics the engine reads and writes.
public struct EngineTopics: Sendable, Equatable {
    public var events: String
    public var outbound: String
    public var deadLetter: String
    /// Delivery feedback (keyed by customer like the events, with as many partitions): consumed
    /// beside the events, partition n of both by the same worker.
    public var feedback: String?

    public init(events: String, outbound: String, deadLetter: String, feedback: String? = nil) {
        self.events = events
        self.outbound = outbound
        self.deadLetter = deadLetter
        self.feedback = feedback
    }

    /// What the engine consumes.
    public var consumed: [String] { [events] + (feedback.map { [$0] } ?? []) }
}

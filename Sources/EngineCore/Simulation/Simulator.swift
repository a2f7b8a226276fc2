/// Runs the pure core over a list of events on a virtual clock, firing due timers in between,
/// and records what would have happened. Used by `nudge simulate` and by the tests.
public struct Simulator: Sendable {
    public let engine: ScenarioEngine
    public private(set) var states: [String: CustomerState] = [:]
    public private(set) var timeline: [TimelineEntry] = []
    public private(set) var now: Timestamp

    /// Pending timers, ordered by due time, then by the order they were scheduled.
    private var timers: [ScheduledTimer] = []
    private var sequence = 0

    private struct ScheduledTimer: Sendable {
        var due: Timestamp
        var sequence: Int
        var customer: String
        var id: String
    }

    public init(engine: ScenarioEngine, start: Timestamp) {
        self.engine = engine
        self.now = start
    }

    public var pendingTimers: Int { timers.count }

    /// Seeds profile attributes as an identify at the current time, so date triggers get planned.
    public mutating func seedProfile(customer: String, traits: [String: Value]) {
        let event = Event(
            kind: .identify, name: "", messageId: "seed:\(customer)", userId: customer, traits: traits, timestamp: now)
        apply(.event(event), customer: customer)
    }

    /// Fires timers due up to the event's time, then delivers the event.
    public mutating func feed(_ event: Event) {
        guard let customer = event.customerId else { return }
        advance(to: event.timestamp)
        now = max(now, event.timestamp)
        apply(.event(event), customer: customer)
    }

    public mutating func feed(_ feedback: DeliveryFeedback, customer: String) {
        advance(to: feedback.at)
        now = max(now, feedback.at)
        apply(.feedback(feedback), customer: customer)
    }

    /// Fires every timer due at or before `time`, in order, moving the clock along.
    public mutating func advance(to time: Timestamp) {
        while let first = timers.first, first.due <= time {
            timers.removeFirst()
            now = max(now, first.due)
            apply(.timer(id: first.id), customer: first.customer)
        }
        now = max(now, time)
    }

    /// Fires the remaining timers up to `horizon`; later ones stay pending.
    public mutating func drain(until horizon: Timestamp) {
        advance(to: horizon)
    }

    public mutating func apply(_ input: Input, customer: String) {
        let state = states[customer] ?? CustomerState(customerId: customer)
        let result = engine.transition(state, input, now: now)
        states[customer] = result.state
        for effect in result.effects {
            switch effect {
            case .scheduleTimer(let timer):
                timers.removeAll { $0.customer == customer && $0.id == timer.id }
                sequence += 1
                let scheduled = ScheduledTimer(due: timer.at, sequence: sequence, customer: customer, id: timer.id)
                let index = timers.firstIndex { ($0.due, $0.sequence) > (timer.at, sequence) } ?? timers.count
                timers.insert(scheduled, at: index)
            case .cancelTimer(let id):
                timers.removeAll { $0.customer == customer && $0.id == id }
            default:
                if let entry = TimelineEntry(effect: effect, at: now) { timeline.append(entry) }
            }
        }
    }

    /// Runs a whole simulation: profiles seeded at the first event's time, events in time
    /// order (stable for equal times), then timers until none remain or `horizon` after the
    /// last event.
    public static func run(
        engine: ScenarioEngine, events: [Event], profiles: [(customer: String, traits: [String: Value])] = [],
        horizon: TimeSpan = .days(60)
    ) -> Simulator {
        let ordered = events.enumerated().sorted {
            ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
        }
        .map(\.element)
        let start = ordered.first?.timestamp ?? Timestamp(milliseconds: 0)
        var simulator = Simulator(engine: engine, start: start)
        for profile in profiles { simulator.seedProfile(customer: profile.customer, traits: profile.traits) }
        for event in ordered { simulator.feed(event) }
        simulator.drain(until: (ordered.last?.timestamp ?? start) + horizon)
        return simulator
    }
}

/// Runs the pure core over a list of events on a virtual clock, firing due timers in between,
/// and records what would have happened. Used by `nudge simulate`, `nudge backtest` and the tests.
public struct Simulator: Sendable {
    public let engine: ScenarioEngine
    public private(set) var states: [String: CustomerState] = [:]
    public private(set) var timeline: [TimelineEntry] = []
    public private(set) var now: Timestamp

    /// Pending timers, ordered by due time, then by the order they were scheduled.
    private var timers = TimerQueue()

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
        var recorder = TimelineRecorder()
        feed(event, observer: &recorder)
        timeline += recorder.entries
    }

    /// `feed(_:)` reporting to `observer` instead of the timeline.
    public mutating func feed<Observer: SimulationObserver>(_ event: Event, observer: inout Observer) {
        guard let customer = event.customerId else { return }
        advance(to: event.timestamp, observer: &observer)
        now = max(now, event.timestamp)
        apply(.event(event), customer: customer, observer: &observer)
    }

    public mutating func feed(_ feedback: DeliveryFeedback, customer: String) {
        var recorder = TimelineRecorder()
        advance(to: feedback.at, observer: &recorder)
        now = max(now, feedback.at)
        apply(.feedback(feedback), customer: customer, observer: &recorder)
        timeline += recorder.entries
    }

    /// Fires every timer due at or before `time`, in order, moving the clock along.
    public mutating func advance(to time: Timestamp) {
        var recorder = TimelineRecorder()
        advance(to: time, observer: &recorder)
        timeline += recorder.entries
    }

    /// `advance(to:)` reporting to `observer` instead of the timeline.
    public mutating func advance<Observer: SimulationObserver>(to time: Timestamp, observer: inout Observer) {
        while let timer = timers.popDue(atOrBefore: time) {
            now = max(now, timer.due)
            apply(.timer(id: timer.id), customer: timer.customer, observer: &observer)
        }
        now = max(now, time)
    }

    /// Fires the remaining timers up to `horizon`; later ones stay pending.
    public mutating func drain(until horizon: Timestamp) {
        advance(to: horizon)
    }

    public mutating func apply(_ input: Input, customer: String) {
        var recorder = TimelineRecorder()
        apply(input, customer: customer, observer: &recorder)
        timeline += recorder.entries
    }

    /// Applies one input at the current time; timer effects go to the timer queue, and the
    /// observer sees every effect.
    public mutating func apply<Observer: SimulationObserver>(
        _ input: Input, customer: String, observer: inout Observer
    ) {
        let state = states[customer] ?? CustomerState(customerId: customer)
        let result = engine.transition(state, input, now: now)
        states[customer] = result.state
        for effect in result.effects {
            switch effect {
            case .scheduleTimer(let timer):
                timers.schedule(customer: customer, id: timer.id, due: timer.at)
            case .cancelTimer(let id):
                timers.cancel(customer: customer, id: id)
            default:
                break
            }
        }
        observer.observe(customer: customer, input: input, effects: result.effects, at: now)
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

/// Sees what a simulation does, input by input: the simulator's own timeline is one observer, a
/// backtest's per-step counts another.
public protocol SimulationObserver {
    /// One applied input and every effect of its transition (timer bookkeeping included), at the
    /// simulated time `at`.
    mutating func observe(customer: String, input: Input, effects: [Effect], at: Timestamp)
}

/// Turns effects into timeline entries (timer bookkeeping is left out).
struct TimelineRecorder: SimulationObserver {
    var entries: [TimelineEntry] = []

    mutating func observe(customer: String, input: Input, effects: [Effect], at: Timestamp) {
        for effect in effects {
            if let entry = TimelineEntry(effect: effect, at: at) { entries.append(entry) }
        }
    }
}

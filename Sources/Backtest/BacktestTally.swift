import EngineCore

/// Counts a replay's effects by scenario, step and UTC hour: the simulator's observer in a backtest.
/// Keeps counts, never entries, so a replay of millions of events stays small.
struct BacktestTally: SimulationObserver, Sendable {
    struct Place: Hashable, Sendable {
        var scenario: String
        var step: String
        /// Hours since the epoch (UTC).
        var hour: Int64
    }

    struct Step: Hashable, Sendable {
        var scenario: String
        var step: String
    }

    static let hourMilliseconds: Int64 = 3_600_000

    private(set) var counts: [Place: BacktestCounts] = [:]
    /// Instances at each step when the replay ended (still waiting at `to`).
    private(set) var waiting: [Step: Int] = [:]
    private(set) var transitions = 0
    private(set) var pendingTimers = 0

    mutating func observe(customer: String, input: Input, effects: [Effect], at: Timestamp) {
        transitions += 1
        guard !effects.isEmpty else { return }
        let hour = Self.hour(of: at)
        for effect in effects {
            switch effect {
            case .entered(let ref):
                let place = Place(scenario: ref.scenario, step: ref.step, hour: hour)
                counts[place, default: BacktestCounts()].entered += 1
            case .send(let message):
                counts[place(message, hour), default: BacktestCounts()].sent[message.channel, default: 0] += 1
            case .suppressed(let message, let reason):
                counts[place(message, hour), default: BacktestCounts()].suppressed[reason, default: 0] += 1
            case .deferred(let message, _, let reason):
                counts[place(message, hour), default: BacktestCounts()].deferred[reason, default: 0] += 1
            case .wouldSuppress(let message, let rule):
                counts[place(message, hour), default: BacktestCounts()].wouldSuppress[rule, default: 0] += 1
            case .heldOut(let ref, _):
                let place = Place(scenario: ref.scenario, step: ref.step, hour: hour)
                counts[place, default: BacktestCounts()].heldOut += 1
            case .completed(let completion):
                let place = Place(scenario: completion.origin.scenario, step: completion.origin.step, hour: hour)
                counts[place, default: BacktestCounts()].completed[completion.reason.label, default: 0] += 1
                if completion.reason.isConversion {
                    counts[place, default: BacktestCounts()].converted += 1
                    if completion.holdout != nil { counts[place, default: BacktestCounts()].heldOutConverted += 1 }
                }
            default:
                // Timers, content, profile updates and emitted events are not counted.
                break
            }
        }
    }

    /// The UTC hour of `time`, as hours since the epoch (rounded down, also before 1970).
    static func hour(of time: Timestamp) -> Int64 {
        let (quotient, remainder) = time.milliseconds.quotientAndRemainder(dividingBy: hourMilliseconds)
        return remainder < 0 ? quotient - 1 : quotient
    }

    private func place(_ message: SendMessage, _ hour: Int64) -> Place {
        Place(scenario: message.origin.scenario, step: message.origin.step, hour: hour)
    }

    /// Notes where the simulator left its customers: instances still waiting, timers still pending.
    mutating func finish(_ simulator: Simulator) {
        pendingTimers = simulator.pendingTimers
        for state in simulator.states.values {
            for instance in state.instances {
                waiting[Step(scenario: instance.scenario, step: instance.step), default: 0] += 1
            }
        }
    }

    mutating func merge(_ other: BacktestTally) {
        counts.merge(other.counts) { mine, theirs in
            var sum = mine
            sum.add(theirs)
            return sum
        }
        waiting.merge(other.waiting, uniquingKeysWith: +)
        transitions += other.transitions
        pendingTimers += other.pendingTimers
    }
}

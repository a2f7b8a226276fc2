/// One node of a scenario's step graph.
public struct Step: Sendable {
    public var id: String
    public var kind: Kind
    public var location: SourceLocation
    /// Where each referenced step id is written (`next: ...`), for precise errors.
    public var referenceLocations: [String: SourceLocation] = [:]

    public enum Kind: Sendable {
        case wait(Wait, next: String?)
        case waitForEvent(WaitForEvent)
        case branch(cases: [(condition: CompiledExpression, next: String)], otherwise: String?)
        /// Percentages summing to 100; a deterministic per-customer hash picks the path.
        case split([(percent: Int, next: String?)])
        case send(SendSpec, next: String?)
        case show(ShowSpec, next: String?)
        case set(profile: [(String, CompiledExpression)], instance: [(String, CompiledExpression)], next: String?)
        case emit(name: String, properties: [(String, CompiledExpression)], next: String?)
        case digest(DigestSpec, next: String?)
        case end
    }

    /// Whether an instance stops here until a timer or an event: such steps break cycles.
    public var waits: Bool {
        switch kind {
        case .wait, .waitForEvent, .digest: true
        default: false
        }
    }

    /// Every step id this step can lead to.
    public var successors: [String] {
        switch kind {
        case .wait(_, let next), .send(_, let next), .show(_, let next), .set(_, _, let next),
            .emit(_, _, let next), .digest(_, let next):
            return next.map { [$0] } ?? []
        case .waitForEvent(let wait): return [wait.onEvent, wait.onTimeout].compactMap { $0 }
        case .branch(let cases, let otherwise): return cases.map(\.next) + (otherwise.map { [$0] } ?? [])
        case .split(let paths): return paths.compactMap(\.next)
        case .end: return []
        }
    }
}

public enum Wait: Sendable {
    /// A fixed or computed duration (`2h`, `params.reminder_after`).
    case duration(CompiledExpression)
    /// The next time the customer's local clock shows this time.
    case untilTimeOfDay(TimeOfDay)
    /// An instant computed from the profile or instance (`profile.bonus_expires_at - 1d`).
    case until(CompiledExpression)
}

public struct WaitForEvent: Sendable {
    public var event: String
    public var condition: CompiledExpression?
    public var timeout: CompiledExpression
    /// Where to go when the event comes; nil ends the instance.
    public var onEvent: String?
    /// Where to go on timeout; nil ends the instance with reason `timeout`.
    public var onTimeout: String?
}

public struct SendSpec: Sendable {
    public var channel: String
    public var template: String
    public var variables: [(String, CompiledExpression)]
    public var priority: Int
    public var transactional: Bool
    public var topic: String?
}

public struct ShowSpec: Sendable {
    public var slot: String
    public var payload: [(String, CompiledExpression)]
    public var ttl: TimeSpan?
    /// Remove the content when the instance completes ("until the first purchase").
    public var untilExit: Bool
}

/// Collect matching events for a window into an instance variable, then go on to `next`
/// (typically one send listing them).
public struct DigestSpec: Sendable {
    public var event: String
    public var condition: CompiledExpression?
    public var window: TimeSpan
    public var item: [(String, CompiledExpression)]
    public var maxItems: Int
    public var variable: String
}

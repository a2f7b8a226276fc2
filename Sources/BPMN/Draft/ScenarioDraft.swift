/// A scenario as its YAML file says it, before it is compiled: the meeting point of BPMN and
/// the scenario language. Import builds one from a drawn process and writes it as YAML; export
/// reads one from a validated file and draws it. Values are kept as the text written in YAML
/// (expressions, durations), so nothing is lost or re-formatted on the way.
public struct ScenarioDraft: Sendable, Equatable {
    public var id: String
    public var version: Int
    public var name: String?
    public var description: String?
    public var owner: String?
    public var status: String?
    /// Parameter values as flow YAML (`24h`, `"5"`, `[a, b]`), in file order.
    public var params: [NamedText] = []
    public var trigger: TriggerDraft
    public var entry = EntryDraft()
    /// Instance variables: name and expression.
    public var vars: [NamedText] = []
    public var goals: [ExitDraft] = []
    public var exits: [ExitDraft] = []
    public var start: String?
    public var steps: [StepDraft] = []
    /// What the source had that the scenario cannot say, written as comments at the top.
    public var skipped: [String] = []
    /// Where the draft came from, for the header comment.
    public var source: String?

    public init(id: String, version: Int, trigger: TriggerDraft) {
        self.id = id
        self.version = version
        self.trigger = trigger
    }

    /// The draft without comments and notes: what must survive a round trip.
    public var structure: ScenarioDraft {
        var copy = self
        copy.skipped = []
        copy.source = nil
        copy.steps = steps.map { step in
            var step = step
            step.notes = []
            return step
        }
        return copy
    }
}

/// A name and the text of its value (an expression, a duration, flow YAML).
public struct NamedText: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

public enum TriggerDraft: Sendable, Equatable {
    case event(name: String, when: String?)
    /// `attribute` is the path as written, `profile.birthday`.
    case date(attribute: String, offset: String?, at: String?, yearly: Bool, when: String?)
    case absence(name: String, span: String, when: String?)
}

public struct EntryDraft: Sendable, Equatable {
    public var key: String?
    public var once = false
    public var oncePer: String?

    public init(key: String? = nil, once: Bool = false, oncePer: String? = nil) {
        self.key = key
        self.once = once
        self.oncePer = oncePer
    }

    var isEmpty: Bool { key == nil && !once && oncePer == nil }
}

/// A goal or an exit.
public struct ExitDraft: Sendable, Equatable {
    public var id: String
    public var event: String
    public var when: String?

    public init(id: String, event: String, when: String?) {
        self.id = id
        self.event = event
        self.when = when
    }
}

public struct StepDraft: Sendable, Equatable {
    public var id: String
    public var kind: Kind
    /// Said as comments above the step: defaults taken, approximations.
    public var notes: [String] = []

    public init(id: String, kind: Kind, notes: [String] = []) {
        self.id = id
        self.kind = kind
        self.notes = notes
    }

    public enum Kind: Sendable, Equatable {
        case wait(WaitDraft, next: String?)
        case waitFor(WaitForDraft)
        case branch(cases: [BranchCase], otherwise: String?)
        case split([SplitPath])
        case send(SendDraft, next: String?)
        /// A kind BPMN has no element for (`set`, `show`, `emit`, `digest`): its body as flow YAML.
        case other(kind: String, body: String, next: String?)
        case end
    }
}

public enum WaitDraft: Sendable, Equatable {
    /// A duration literal or expression: `24h`, `params.remind_after`.
    case duration(String)
    /// A local time of day, `18:00`.
    case untilTime(String)
    /// An instant expression.
    case until(String)
}

public struct WaitForDraft: Sendable, Equatable {
    public var event: String
    public var when: String?
    public var timeout: String
    public var onEvent: String?
    public var onTimeout: String?

    public init(event: String, when: String?, timeout: String, onEvent: String?, onTimeout: String?) {
        self.event = event
        self.when = when
        self.timeout = timeout
        self.onEvent = onEvent
        self.onTimeout = onTimeout
    }
}

public struct BranchCase: Sendable, Equatable {
    public var when: String
    public var next: String

    public init(when: String, next: String) {
        self.when = when
        self.next = next
    }
}

public struct SplitPath: Sendable, Equatable {
    public var percent: Int
    public var next: String?

    public init(percent: Int, next: String?) {
        self.percent = percent
        self.next = next
    }
}

public struct SendDraft: Sendable, Equatable {
    public var channel: String
    public var template: String
    public var variables: [NamedText] = []
    public var priority: Int?
    public var transactional: Bool?
    public var topic: String?

    public init(channel: String, template: String) {
        self.channel = channel
        self.template = template
    }
}

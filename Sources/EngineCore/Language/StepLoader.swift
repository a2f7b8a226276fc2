import Yams

/// `steps:` a mapping from step id to a step with exactly one kind key.
enum StepLoader {
    static let kinds = ["wait", "wait_for", "branch", "split", "send", "show", "set", "emit", "digest", "end"]
    static let connectors = ["next", "on_event", "on_timeout", "otherwise"]

    static func load(_ node: Node, reader: YAMLReader, scope: ExpressionScope) -> [Step] {
        guard case .mapping(let mapping) = node else {
            reader.report(.wrongShape, node, "'steps' must be a mapping from step id to step")
            return []
        }
        if mapping.isEmpty { reader.report(.missingField, node, "'steps' is empty") }
        var steps: [Step] = []
        for (keyNode, stepNode) in mapping {
            guard let id = ScenarioLoader.identifier(keyNode, reader, field: "step id") else { continue }
            if let step = loadStep(id: id, node: stepNode, keyNode: keyNode, reader: reader, scope: scope) {
                steps.append(step)
            }
        }
        return steps
    }

    private static func loadStep(
        id: String, node: Node, keyNode: Node, reader: YAMLReader, scope: ExpressionScope
    )
        -> Step?
    {
        guard let fields = reader.mapping(node, "step '\(id)'", allowed: kinds + connectors + ["description"])
        else { return nil }
        let present = kinds.filter { fields.has($0) }
        guard present.count == 1, let kind = present.first, let body = fields[kind] else {
            let message =
                present.isEmpty
                ? "step '\(id)' needs one of: \(kinds.joined(separator: ", "))"
                : "step '\(id)' has several kinds (\(present.joined(separator: ", "))); split it into steps"
            reader.report(.wrongShape, node, message)
            return nil
        }
        let usable: [String: Set<String>] = [
            "wait_for": ["on_event", "on_timeout"], "branch": ["otherwise"], "split": [], "end": [],
        ]
        for (key, keyNode, _) in fields.entries where connectors.contains(key) {
            if !(usable[kind] ?? ["next"]).contains(key) {
                reader.report(.unknownField, keyNode, "'\(key)' does not apply to a '\(kind)' step")
            }
        }
        let next = fields["next"].flatMap { reader.string($0, "next") }
        let context = StepContext(id: id, reader: reader, scope: scope)
        let stepKind: Step.Kind?
        switch kind {
        case "wait": stepKind = context.wait(body).map { .wait($0, next: next) }
        case "wait_for":
            stepKind = context.waitForEvent(
                body, onEvent: fields["on_event"].flatMap { reader.string($0, "on_event") },
                onTimeout: fields["on_timeout"].flatMap { reader.string($0, "on_timeout") })
        case "branch":
            stepKind = context.branch(body, otherwise: fields["otherwise"].flatMap { reader.string($0, "otherwise") })
        case "split": stepKind = context.split(body)
        case "send": stepKind = context.send(body).map { .send($0, next: next) }
        case "show": stepKind = context.show(body).map { .show($0, next: next) }
        case "set": stepKind = context.set(body, next: next)
        case "emit": stepKind = context.emit(body, next: next)
        case "digest": stepKind = context.digest(body).map { .digest($0, next: next) }
        default:
            if body.null == nil, body.bool != true, body.mapping.map({ $0.isEmpty }) != true {
                reader.report(.wrongShape, body, "'end' takes no value; write 'end: {}'")
            }
            stepKind = .end
        }
        guard let stepKind else { return nil }
        return Step(
            id: id, kind: stepKind, location: reader.location(keyNode),
            referenceLocations: referenceLocations(fields, body: body, reader: reader))
    }

    /// Positions of the step ids this step refers to, including those inside branch and split.
    private static func referenceLocations(
        _ fields: YAMLMapping, body: Node, reader: YAMLReader
    )
        -> [String: SourceLocation]
    {
        var nodes = connectors.compactMap { fields[$0] }
        for item in body.sequence ?? [] {
            if let next = item.mapping?["next"] { nodes.append(next) }
        }
        var locations: [String: SourceLocation] = [:]
        for node in nodes {
            if let name = node.scalar?.string, locations[name] == nil { locations[name] = reader.location(node) }
        }
        return locations
    }
}

/// Parses the body of each step kind, reporting errors against the step's id.
struct StepContext {
    let id: String
    let reader: YAMLReader
    let scope: ExpressionScope

    private func field(_ name: String) -> String { "\(id).\(name)" }

    func wait(_ node: Node) -> Wait? {
        if node.scalar != nil {
            return reader.expression(node, field("wait"), scope: scope, expecting: .span).map(Wait.duration)
        }
        guard let fields = reader.mapping(node, "wait of step '\(id)'", allowed: ["for", "until_time", "until"]) else {
            return nil
        }
        let kinds = ["for", "until_time", "until"].filter { fields.has($0) }
        guard kinds.count == 1 else {
            reader.report(.wrongShape, node, "a wait needs exactly one of 'for', 'until_time' or 'until'")
            return nil
        }
        if let value = fields["for"] {
            return reader.expression(value, field("wait.for"), scope: scope, expecting: .span).map(Wait.duration)
        }
        if let value = fields["until_time"] {
            return reader.timeOfDay(value, "until_time").map(Wait.untilTimeOfDay)
        }
        return fields["until"].flatMap {
            reader.expression($0, field("wait.until"), scope: scope, expecting: .timestamp)
        }.map(Wait.until)
    }

    func waitForEvent(_ node: Node, onEvent: String?, onTimeout: String?) -> Step.Kind? {
        guard
            let fields = reader.mapping(
                node, "wait_for of step '\(id)'", allowed: ["event", "when", "timeout"],
                required: ["event", "timeout"]),
            let event = fields["event"].flatMap({ reader.string($0, "event") }),
            let timeout = fields["timeout"].flatMap({
                reader.expression($0, field("timeout"), scope: scope, expecting: .span)
            })
        else { return nil }
        let condition = fields["when"].flatMap { reader.expression($0, field("when"), scope: scope, expecting: .bool) }
        return .waitForEvent(
            WaitForEvent(event: event, condition: condition, timeout: timeout, onEvent: onEvent, onTimeout: onTimeout))
    }

    func branch(_ node: Node, otherwise: String?) -> Step.Kind? {
        guard case .sequence(let items) = node, !items.isEmpty else {
            reader.report(.wrongShape, node, "'branch' must be a list of {when, next}")
            return nil
        }
        var cases: [(condition: CompiledExpression, next: String)] = []
        for item in items {
            guard
                let fields = reader.mapping(
                    item, "a case of branch '\(id)'", allowed: ["when", "next"], required: ["when", "next"]),
                let condition = fields["when"].flatMap({
                    reader.expression($0, field("when"), scope: scope, expecting: .bool)
                }),
                let next = fields["next"].flatMap({ reader.string($0, "next") })
            else { continue }
            cases.append((condition, next))
        }
        return .branch(cases: cases, otherwise: otherwise)
    }

    func split(_ node: Node) -> Step.Kind? {
        guard case .sequence(let items) = node, !items.isEmpty else {
            reader.report(.wrongShape, node, "'split' must be a list of {percent, next}")
            return nil
        }
        var paths: [(percent: Int, next: String?)] = []
        for item in items {
            guard
                let fields = reader.mapping(
                    item, "a path of split '\(id)'", allowed: ["percent", "next"], required: ["percent"]),
                let percent = fields["percent"].flatMap({ reader.int($0, "percent", range: 0...100) })
            else { return nil }
            paths.append((percent, fields["next"].flatMap { reader.string($0, "next") }))
        }
        let total = paths.reduce(0) { $0 + $1.percent }
        guard total == 100 else {
            reader.report(.invalidValue, node, "split percentages of step '\(id)' add up to \(total), not 100")
            return nil
        }
        return .split(paths)
    }

    func send(_ node: Node) -> SendSpec? {
        guard
            let fields = reader.mapping(
                node, "send of step '\(id)'",
                allowed: ["channel", "template", "variables", "priority", "transactional", "topic"],
                required: ["channel", "template"]),
            let channel = fields["channel"].flatMap({ reader.string($0, "channel") }),
            let template = fields["template"].flatMap({ reader.string($0, "template") })
        else { return nil }
        return SendSpec(
            channel: channel, template: template, variables: expressions(fields["variables"], "variables"),
            priority: fields["priority"].flatMap { reader.int($0, "priority", range: 0...100) } ?? 50,
            transactional: fields["transactional"].flatMap { reader.bool($0, "transactional") } ?? false,
            topic: fields["topic"].flatMap { reader.string($0, "topic") })
    }

    func show(_ node: Node) -> ShowSpec? {
        guard
            let fields = reader.mapping(
                node, "show of step '\(id)'", allowed: ["slot", "payload", "ttl", "until_exit"], required: ["slot"]),
            let slot = fields["slot"].flatMap({ reader.string($0, "slot") })
        else { return nil }
        // Payloads are literal content (strings are not expressions); templates personalize them.
        let payload =
            fields["payload"].map { node in
                reader.namedEntries(node, "payload").map {
                    ($0.key, CompiledExpression.constant(YAMLReader.constant($0.value)))
                }
            } ?? []
        return ShowSpec(
            slot: slot, payload: payload, ttl: fields["ttl"].flatMap { reader.span($0, "ttl") },
            untilExit: fields["until_exit"].flatMap { reader.bool($0, "until_exit") } ?? false)
    }

    func set(_ node: Node, next: String?) -> Step.Kind? {
        guard let fields = reader.mapping(node, "set of step '\(id)'", allowed: ["profile", "instance"]) else {
            return nil
        }
        return .set(
            profile: expressions(fields["profile"], "set.profile"),
            instance: expressions(fields["instance"], "set.instance"),
            next: next)
    }

    func emit(_ node: Node, next: String?) -> Step.Kind? {
        guard
            let fields = reader.mapping(
                node, "emit of step '\(id)'", allowed: ["event", "properties"], required: ["event"]),
            let name = fields["event"].flatMap({ reader.string($0, "event") })
        else { return nil }
        return .emit(name: name, properties: expressions(fields["properties"], "properties"), next: next)
    }

    func digest(_ node: Node) -> DigestSpec? {
        guard
            let fields = reader.mapping(
                node, "digest of step '\(id)'", allowed: ["event", "when", "window", "item", "max_items", "as"],
                required: ["event", "window", "as"]),
            let event = fields["event"].flatMap({ reader.string($0, "event") }),
            let window = fields["window"].flatMap({ reader.span($0, "window") }),
            let variable = fields["as"].flatMap({ reader.string($0, "as") })
        else { return nil }
        return DigestSpec(
            event: event,
            condition: fields["when"].flatMap { reader.expression($0, field("when"), scope: scope, expecting: .bool) },
            window: window, item: expressions(fields["item"], "item"),
            maxItems: fields["max_items"].flatMap { reader.int($0, "max_items", range: 1...1000) } ?? 20,
            variable: variable)
    }

    /// A mapping of names to expressions (`variables`, `properties`, `set`).
    private func expressions(_ node: Node?, _ what: String) -> [(String, CompiledExpression)] {
        guard let node else { return [] }
        return reader.namedEntries(node, what).compactMap { entry in
            reader.expression(entry.value, field("\(what).\(entry.key)"), scope: scope).map { (entry.key, $0) }
        }
    }
}

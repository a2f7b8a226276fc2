import EngineCore

/// A scenario's step graph laid out for drawing, top to bottom: the trigger, then the steps in
/// layers by their distance from the start step, then the goals and exits (which end an
/// instance at any step, so they stand apart). Pure: positions come from the scenario alone.
struct StepGraph: Sendable, Equatable {
    enum Role: String, Sendable {
        case trigger, step, goal, exit
    }

    struct Node: Sendable, Equatable {
        var role: Role
        /// The step id, the goal or exit id, or `trigger`.
        var id: String
        /// The step kind's keyword (`wait`, `send`, ...), or the role.
        var kind: String
        /// What the node does, in a few words (`email: welcome`, `1h`, `Order Completed`).
        var detail: String
        var x: Int
        var y: Int
    }

    struct Edge: Sendable, Equatable {
        var from: String
        var to: String
        /// Which way out of a step this is (`event`, `timeout`, `otherwise`, `50%`, a condition).
        var label: String
        /// Goes back up the graph (a loop through a waiting step).
        var back: Bool
    }

    static let nodeWidth = 220
    static let nodeHeight = 72
    static let gapX = 24
    static let gapY = 56
    static let margin = 16
    /// Room on the right for edges that go back up.
    static let loopSpace = 48

    var nodes: [Node]
    var edges: [Edge]
    var width: Int
    var height: Int

    func node(_ id: String, role: Role = .step) -> Node? { nodes.first { $0.id == id && $0.role == role } }

    init(_ scenario: Scenario) {
        var layers: [[(role: Role, id: String, kind: String, detail: String)]] = [
            [(.trigger, "trigger", "trigger", Self.describe(scenario.trigger))]
        ]
        var layerOf: [String: Int] = [:]
        // Breadth first from the start step: a step's layer is its shortest distance.
        var queue = [scenario.start]
        layerOf[scenario.start] = 1
        var order: [String] = []
        while !queue.isEmpty {
            let id = queue.removeFirst()
            guard let step = scenario.steps[id] else { continue }
            order.append(id)
            for next in step.successors where layerOf[next] == nil && scenario.steps[next] != nil {
                layerOf[next] = (layerOf[id] ?? 1) + 1
                queue.append(next)
            }
        }
        // Steps the start does not reach still show, below the rest.
        let unreached = scenario.stepOrder.filter { layerOf[$0] == nil }
        let deepest = layerOf.values.max() ?? 1
        for id in unreached { layerOf[id] = deepest + 1 }
        for id in order + unreached {
            guard let step = scenario.steps[id], let layer = layerOf[id] else { continue }
            while layers.count <= layer { layers.append([]) }
            layers[layer].append((.step, id, step.kind.name, Self.describe(step.kind)))
        }
        let ends =
            scenario.goals.map { (Role.goal, $0.id, "goal", $0.event) }
            + scenario.exits.map { (Role.exit, $0.id, "exit", $0.event) }
        if !ends.isEmpty { layers.append(ends.map { (role: $0.0, id: $0.1, kind: $0.2, detail: $0.3) }) }

        var edges: [Edge] = []
        for id in order + unreached {
            guard let step = scenario.steps[id] else { continue }
            for (next, label) in Self.exits(of: step.kind) where scenario.steps[next] != nil {
                edges.append(Edge(from: id, to: next, label: label, back: (layerOf[next] ?? 0) <= (layerOf[id] ?? 0)))
            }
        }
        if scenario.steps[scenario.start] != nil {
            edges.insert(Edge(from: "trigger", to: scenario.start, label: "", back: false), at: 0)
        }

        let widest = layers.map(\.count).max() ?? 1
        let contentWidth = widest * Self.nodeWidth + (widest - 1) * Self.gapX
        let loops = edges.contains { $0.back }
        width = contentWidth + 2 * Self.margin + (loops ? Self.loopSpace : 0)
        height = layers.count * Self.nodeHeight + (layers.count - 1) * Self.gapY + 2 * Self.margin
        var nodes: [Node] = []
        for (index, layer) in layers.enumerated() {
            let layerWidth = layer.count * Self.nodeWidth + (layer.count - 1) * Self.gapX
            var x = Self.margin + (contentWidth - layerWidth) / 2
            let y = Self.margin + index * (Self.nodeHeight + Self.gapY)
            for item in layer {
                nodes.append(Node(role: item.role, id: item.id, kind: item.kind, detail: item.detail, x: x, y: y))
                x += Self.nodeWidth + Self.gapX
            }
        }
        self.nodes = nodes
        self.edges = edges
    }

    /// The ways out of a step, each with its label.
    static func exits(of kind: Step.Kind) -> [(String, String)] {
        switch kind {
        case .wait(_, let next), .send(_, let next), .show(_, let next), .set(_, _, let next),
            .emit(_, _, let next), .digest(_, let next):
            return next.map { [($0, "")] } ?? []
        case .waitForEvent(let wait):
            return [wait.onEvent.map { ($0, "event") }, wait.onTimeout.map { ($0, "timeout") }].compactMap { $0 }
        case .branch(let cases, let otherwise):
            return cases.map { ($0.next, shorten($0.condition.source, to: 24)) }
                + (otherwise.map { [($0, "otherwise")] } ?? [])
        case .split(let paths):
            return paths.compactMap { path in path.next.map { ($0, "\(path.percent)%") } }
        case .end:
            return []
        }
    }

    static func describe(_ trigger: Trigger) -> String {
        switch trigger {
        case .event(let name, let condition): condition == nil ? name : "\(name) if …"
        case .date(let date): "\(date.offset.formatted) from profile.\(date.attribute)"
        case .absence(let name, let span, _): "no \(name) for \(span.formatted)"
        }
    }

    static func describe(_ kind: Step.Kind) -> String {
        let text: String
        switch kind {
        case .wait(.duration(let duration), _): text = duration.source
        case .wait(.untilTimeOfDay(let time), _): text = "until \(time)"
        case .wait(.until(let instant), _): text = "until \(instant.source)"
        case .waitForEvent(let wait): text = "\(wait.event) within \(wait.timeout.source)"
        case .branch(let cases, _): text = cases.count == 1 ? "1 condition" : "\(cases.count) conditions"
        case .split(let paths): text = paths.map { "\($0.percent)%" }.joined(separator: " / ")
        case .send(let send, _): text = "\(send.channel): \(send.template)"
        case .show(let show, _): text = "slot \(show.slot)"
        case .set(let profile, let instance, _): text = "\(profile.count + instance.count) value(s)"
        case .emit(let name, _, _): text = name
        case .digest(let digest, _): text = "\(digest.event) for \(digest.window.formatted)"
        case .end: text = "done"
        }
        return shorten(text, to: 32)
    }

    static func shorten(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}

/// Draws a `StepGraph` as inline SVG. Every number is an element with `data-count="<key>"` (keys
/// of `ConsoleCounts`), so the page script can refresh it in place.
enum StepGraphSVG {
    static func render(_ graph: StepGraph, counts: ConsoleCounts, title: String) -> HTML {
        let w = StepGraph.nodeWidth
        let h = StepGraph.nodeHeight
        let summary = graph.nodes.filter { $0.role == .step }.map { "\($0.id) (\($0.kind))" }.joined(separator: ", ")
        var edges: [HTML] = []
        var fanOut: [String: Int] = [:]
        for edge in graph.edges where !edge.back { fanOut[edge.from, default: 0] += 1 }
        var seen: [String: Int] = [:]
        for edge in graph.edges {
            let fromRole: StepGraph.Role = edge.from == "trigger" ? .trigger : .step
            guard let from = graph.node(edge.from, role: fromRole), let to = graph.node(edge.to) else { continue }
            if edge.back {
                let right = graph.width - StepGraph.loopSpace / 2
                let (sy, ty) = (from.y + h / 2, to.y + h / 2)
                edges.append(
                    """
                    <path class="edge back" d="M\(from.x + w) \(sy) C\(right) \(sy) \(right) \(ty) \(to.x + w + 4) \(ty)" marker-end="url(#arrow)"/>
                    """)
                if !edge.label.isEmpty {
                    edges.append(label(edge.label, x: right - 4, y: (sy + ty) / 2, anchor: "end"))
                }
                continue
            }
            let count = fanOut[edge.from] ?? 1
            let index = seen[edge.from, default: 0]
            seen[edge.from] = index + 1
            let x1 = from.x + w * (index + 1) / (count + 1)
            let y1 = from.y + h
            let x2 = to.x + w / 2
            let y2 = to.y - 4
            let bend = (y2 - y1) / 2
            edges.append(
                """
                <path class="edge" d="M\(x1) \(y1) C\(x1) \(y1 + bend) \(x2) \(y2 - bend) \(x2) \(y2)" marker-end="url(#arrow)"/>
                """)
            if !edge.label.isEmpty {
                edges.append(label(edge.label, x: (x1 + x2) / 2 + 4, y: y1 + bend + 4, anchor: "start"))
            }
        }
        let nodes = graph.nodes.map { node(counts: counts, $0) }
        return """
            <svg class="graph" viewBox="0 0 \(graph.width) \(graph.height)" width="\(graph.width)" role="img" aria-labelledby="graph-title graph-desc">
            <title id="graph-title">\(title)</title>
            <desc id="graph-desc">Steps: \(summary). The table below has every count.</desc>
            <defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L8 4 L0 8 z" class="arrowhead"/></marker></defs>
            \(edges)
            \(nodes)
            </svg>
            """
    }

    private static func label(_ text: String, x: Int, y: Int, anchor: String) -> HTML {
        "<text class=\"edge-label\" x=\"\(x)\" y=\"\(y)\" text-anchor=\"\(anchor)\">\(text)</text>"
    }

    private static func node(counts: ConsoleCounts, _ node: StepGraph.Node) -> HTML {
        let (x, y) = (node.x, node.y)
        let figures: [(String, String)]
        switch node.role {
        case .trigger: figures = [("entered", "total.entered")]
        case .goal: figures = [("reached", "goal.\(node.id)")]
        case .exit: figures = [("left", "exit.\(node.id)")]
        case .step:
            figures =
                node.kind == "send"
                ? [
                    ("waiting", "\(node.id).waiting"), ("sent", "\(node.id).sent"),
                    ("suppressed", "\(node.id).suppressed"),
                ]
                : [("waiting", "\(node.id).waiting")]
        }
        let tspans: [HTML] = figures.enumerated().map { index, figure in
            """
            \(index == 0 ? "" : " · ")\(figure.0) <tspan class="count" data-count="\(figure.1)">\(counts.value(figure.1))</tspan>
            """
        }
        return """
            <g class="node \(node.role.rawValue) kind-\(node.kind)" data-step="\(node.id)">
            <title>\(node.kind) \(node.id): \(node.detail)</title>
            <rect x="\(x)" y="\(y)" width="\(StepGraph.nodeWidth)" height="\(StepGraph.nodeHeight)" rx="8"/>
            <text x="\(x + 10)" y="\(y + 16)" class="kind">\(node.kind.uppercased())</text>
            <text x="\(x + 10)" y="\(y + 34)" class="id">\(node.id)</text>
            <text x="\(x + 10)" y="\(y + 50)" class="detail">\(node.detail)</text>
            <text x="\(x + 10)" y="\(y + 65)" class="figures">\(tspans)</text>
            </g>
            """
    }
}

/// A simple layered layout, left to right: a node's column is the longest path to it from the
/// start (ignoring edges that go back), rows fill in the order the flow reaches nodes. Edges
/// leave on the right and enter on the left; edges going back run below the diagram.
struct DiagramLayout: Sendable {
    struct Bounds: Sendable, Equatable {
        var x: Int
        var y: Int
        var width: Int
        var height: Int

        var centerX: Int { x + width / 2 }
        var centerY: Int { y + height / 2 }
        var right: Int { x + width }
        var bottom: Int { y + height }
    }

    static let columnWidth = 170
    static let rowHeight = 130
    static let origin = (x: 160, y: 80)

    var shapes: [String: Bounds] = [:]
    var edges: [String: [(x: Int, y: Int)]] = [:]

    init(_ drawing: ProcessDrawing) {
        let order = Self.reachOrder(drawing)
        let backEdges = Self.backEdges(drawing, order: order)
        var column: [String: Int] = [:]
        for id in order { column[id] = 0 }
        // Longest path over forward edges; a DAG settles within one pass per node.
        for _ in 0..<max(order.count, 1) {
            var changed = false
            for flow in drawing.flows where !backEdges.contains(flow.id) {
                let candidate = (column[flow.source] ?? 0) + 1
                if candidate > column[flow.target] ?? 0 {
                    column[flow.target] = candidate
                    changed = true
                }
            }
            if !changed { break }
        }
        var rowsUsed: [Int: Int] = [:]
        let kinds = Dictionary(drawing.nodes.map { ($0.id, $0.kind) }) { first, _ in first }
        for id in order {
            let layer = column[id] ?? 0
            let row = rowsUsed[layer, default: 0]
            rowsUsed[layer] = row + 1
            let size: (width: Int, height: Int) = kinds[id]?.size ?? (width: 36, height: 36)
            let centerX = Self.origin.x + layer * Self.columnWidth + 50
            let centerY = Self.origin.y + row * Self.rowHeight + 40
            shapes[id] = Bounds(
                x: centerX - size.width / 2, y: centerY - size.height / 2, width: size.width, height: size.height)
        }
        var below = (shapes.values.map(\.bottom).max() ?? Self.origin.y) + 40
        for flow in drawing.flows {
            guard let source = shapes[flow.source], let target = shapes[flow.target] else { continue }
            if backEdges.contains(flow.id) || target.x <= source.x {
                edges[flow.id] = [
                    (source.centerX, source.bottom), (source.centerX, below), (target.centerX, below),
                    (target.centerX, target.bottom),
                ]
                below += 20
            } else if source.centerY == target.centerY {
                edges[flow.id] = [(source.right, source.centerY), (target.x, target.centerY)]
            } else {
                let middle = (source.right + target.x) / 2
                edges[flow.id] = [
                    (source.right, source.centerY), (middle, source.centerY), (middle, target.centerY),
                    (target.x, target.centerY),
                ]
            }
        }
        layoutSubprocesses(drawing, top: below + 40)
    }

    /// Goals and exits in a row below the flow, each a box with its start and end event.
    private mutating func layoutSubprocesses(_ drawing: ProcessDrawing, top: Int) {
        for (index, subprocess) in drawing.subprocesses.enumerated() {
            let box = Bounds(x: Self.origin.x + index * 280, y: top, width: 240, height: 120)
            shapes[subprocess.id] = box
            for (position, node) in subprocess.nodes.enumerated() {
                shapes[node.id] = Bounds(x: box.x + 40 + position * 124, y: box.centerY - 18, width: 36, height: 36)
            }
            if let source = shapes[subprocess.flow.source], let target = shapes[subprocess.flow.target] {
                edges[subprocess.flow.id] = [(source.right, source.centerY), (target.x, target.centerY)]
            }
        }
    }

    /// Nodes in the order a reader follows the flow from the start (breadth first), then any
    /// the start does not reach, in document order.
    private static func reachOrder(_ drawing: ProcessDrawing) -> [String] {
        var order: [String] = []
        var seen = Set<String>()
        var queue: [String] = []
        let starts = [drawing.startId] + drawing.nodes.map(\.id)
        for root in starts where !seen.contains(root) {
            queue = [root]
            seen.insert(root)
            while !queue.isEmpty {
                let id = queue.removeFirst()
                order.append(id)
                for flow in drawing.flows where flow.source == id && !seen.contains(flow.target) {
                    seen.insert(flow.target)
                    queue.append(flow.target)
                }
            }
        }
        return order
    }

    /// Edges that close a cycle (to a node on the current depth-first path).
    private static func backEdges(_ drawing: ProcessDrawing, order: [String]) -> Set<String> {
        var state: [String: Bool] = [:]  // false: on the path, true: done
        var back = Set<String>()
        func visit(_ id: String) {
            state[id] = false
            for flow in drawing.flows where flow.source == id {
                switch state[flow.target] {
                case .some(false): back.insert(flow.id)
                case .none: visit(flow.target)
                case .some(true): break
                }
            }
            state[id] = true
        }
        for id in order where state[id] == nil { visit(id) }
        return back
    }
}

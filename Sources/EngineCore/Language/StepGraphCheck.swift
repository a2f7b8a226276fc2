import Yams

/// Checks the step graph: every reference names a step, and every cycle passes through a
/// waiting step (otherwise one input would loop forever).
enum StepGraphCheck {
    static func check(steps: [Step], start: String?, startNode: Node?, reader: YAMLReader) {
        let ids = Set(steps.map(\.id))
        if let start, !ids.contains(start), let startNode {
            reader.report(
                .unknownStep, startNode,
                "start step '\(start)' does not exist\(Suggestion.hint(for: start, among: ids.sorted()))")
        }
        for step in steps {
            for target in step.successors where !ids.contains(target) {
                reader.diagnostics.report(
                    .unknownStep, at: step.referenceLocations[target] ?? step.location,
                    "step '\(step.id)' refers to unknown step '\(target)'"
                        + Suggestion.hint(for: target, among: ids.sorted())
                )
            }
        }
        reportCycles(steps: steps, reader: reader)
    }

    /// Depth-first search over the edges between non-waiting steps; a back edge is a cycle.
    private static func reportCycles(steps: [Step], reader: YAMLReader) {
        let byId = Dictionary(steps.map { ($0.id, $0) }) { first, _ in first }
        var state: [String: Bool] = [:]  // false: on the stack, true: done
        var stack: [String] = []
        var reported = Set<String>()

        func visit(_ id: String) {
            guard let step = byId[id], !step.waits else { return }
            state[id] = false
            stack.append(id)
            for next in step.successors {
                guard let target = byId[next], !target.waits else { continue }
                if state[next] == false {
                    let cycle = Array(stack.drop { $0 != next }) + [next]
                    let key = Set(cycle).sorted().joined(separator: ",")
                    if reported.insert(key).inserted, let first = byId[next] {
                        reader.diagnostics.report(
                            .cycleWithoutWait, at: first.location,
                            "cycle without a wait: \(cycle.joined(separator: " -> ")); "
                                + "add a wait, wait_for or digest step"
                        )
                    }
                } else if state[next] == nil {
                    visit(next)
                }
            }
            stack.removeLast()
            state[id] = true
        }

        for step in steps where state[step.id] == nil { visit(step.id) }
    }
}

import Foundation

/// A line diff of two texts (longest common subsequence after trimming the common head and tail),
/// for showing an edit against the active version. Pure.
enum LineDiff {
    enum Line: Sendable, Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// Above this many cells (changed lines before x after) the middle is shown as all removed,
    /// then all added, instead of computing a table that large.
    static let maxTable = 2_000_000

    static func diff(_ old: String, _ new: String) -> [Line] {
        let a = lines(old)
        let b = lines(new)
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let middleA = Array(a[head..<(a.count - tail)])
        let middleB = Array(b[head..<(b.count - tail)])
        return a[..<head].map(Line.same) + middle(middleA, middleB) + a[(a.count - tail)...].map(Line.same)
    }

    /// Whether the texts differ line by line (a missing final newline does not count).
    static func changed(_ lines: [Line]) -> Bool {
        lines.contains { if case .same = $0 { false } else { true } }
    }

    private static func middle(_ a: [String], _ b: [String]) -> [Line] {
        if a.isEmpty { return b.map(Line.added) }
        if b.isEmpty { return a.map(Line.removed) }
        guard a.count * b.count <= maxTable else { return a.map(Line.removed) + b.map(Line.added) }
        // lengths[i][j]: the longest common subsequence of a[i...] and b[j...].
        let width = b.count + 1
        var lengths = [Int](repeating: 0, count: (a.count + 1) * width)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i * width + j] =
                    a[i] == b[j]
                    ? lengths[(i + 1) * width + j + 1] + 1
                    : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
            }
        }
        var result: [Line] = []
        var (i, j) = (0, 0)
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                result.append(.same(a[i]))
                i += 1
                j += 1
            } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
                result.append(.removed(a[i]))
                i += 1
            } else {
                result.append(.added(b[j]))
                j += 1
            }
        }
        result += a[i...].map(Line.removed) + b[j...].map(Line.added)
        return result
    }

    private static func lines(_ text: String) -> [String] {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

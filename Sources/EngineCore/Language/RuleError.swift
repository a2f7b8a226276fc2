/// One problem found in a rules file, with the place it was found and what is wrong.
public struct RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case yamlSyntax = "yaml-syntax"
        case unknownField = "unknown-field"
        case missingField = "missing-field"
        case wrongShape = "wrong-shape"
        case invalidValue = "invalid-value"
        case badDuration = "bad-duration"
        case expressionSyntax = "expression-syntax"
        case typeError = "type-error"
        case unknownStep = "unknown-step"
        case cycleWithoutWait = "cycle-without-wait"
        case duplicate = "duplicate"
    }

    public var code: Code
    public var location: SourceLocation
    public var message: String

    public init(_ code: Code, at location: SourceLocation, _ message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    /// `rules/x.yaml:12:5: error: unknown step 'send_mail' (did you mean 'send_email'?)`
    public var description: String { "\(location): error: \(message)" }
}

/// Errors of one load, collected so a file reports all of its problems at once, not the first.
public struct RuleErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [RuleError]

    public init(_ errors: [RuleError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects problems during one load. Local to a load, never shared.
final class Diagnostics {
    let file: String
    private(set) var errors: [RuleError] = []

    init(file: String) {
        self.file = file
    }

    func report(_ code: RuleError.Code, at location: SourceLocation, _ message: String) {
        errors.append(RuleError(code, at: location, message))
    }

    var hasErrors: Bool { !errors.isEmpty }
}

/// "did you mean" suggestions for typos in field names and step references.
enum Suggestion {
    static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(word, candidate)
            if distance <= max(2, word.count / 3), distance < best?.distance ?? Int.max {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    static func hint(for word: String, among candidates: some Sequence<String>) -> String {
        closest(to: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

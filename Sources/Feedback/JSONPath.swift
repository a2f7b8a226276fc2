import EngineCore

/// A path into a provider's JSON payload as connector configs write it: `$.status`,
/// `$.events[0].id`, `data.attributes.reference`. Only member and index steps: enough to reach
/// any field of a callback, and nothing that could run code or loop.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    enum Step: Sendable, Equatable {
        case member(String)
        case index(Int)
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "invalid path \"\(path)\": \(reason)" }
    }

    let steps: [Step]
    public let description: String

    public init(_ text: String) throws(ParseError) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        var steps: [Step] = []
        while !rest.isEmpty {
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                    index >= 0
                else { throw ParseError(path: text, reason: "expected [<non-negative integer>]") }
                steps.append(.index(index))
                rest = rest[rest.index(after: close)...]
                if rest.hasPrefix(".") { rest = rest.dropFirst() }
                continue
            }
            let end = rest.firstIndex(where: { $0 == "." || $0 == "[" }) ?? rest.endIndex
            let name = rest[..<end]
            guard !name.isEmpty else { throw ParseError(path: text, reason: "empty member name") }
            steps.append(.member(String(name)))
            rest = rest[end...]
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                guard !rest.isEmpty else { throw ParseError(path: text, reason: "ends with '.'") }
            }
        }
        guard !steps.isEmpty else { throw ParseError(path: text, reason: "names no field") }
        self.steps = steps
        self.description = text
    }

    /// The value at the path, or nil when any step is missing.
    public func resolve(in value: Value) -> Value? {
        var current = value
        for step in steps {
            switch (step, current) {
            case (.member(let name), .object(let fields)):
                guard let next = fields[name] else { return nil }
                current = next
            case (.index(let index), .list(let items)):
                guard index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The value at the path as text (strings as they are, numbers and booleans printed).
    public func text(in value: Value) -> String? {
        switch resolve(in: value) {
        case .string(let text)?: text
        case .int(let number)?: String(number)
        case .double(let number)?: String(number)
        case .bool(let flag)?: String(flag)
        default: nil
        }
    }
}

import Yams

/// A YAML mapping read with its keys' positions, so errors can point at the exact key.
struct YAMLMapping {
    var entries: [(key: String, keyNode: Node, value: Node)]
    var location: SourceLocation

    subscript(key: String) -> Node? {
        entries.first { $0.key == key }?.value
    }

    func has(_ key: String) -> Bool { self[key] != nil }
}

/// Reads typed values out of YAML nodes and reports every problem with its file:line:column.
struct YAMLReader {
    let diagnostics: Diagnostics

    var file: String { diagnostics.file }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, mark: node.mark)
    }

    func report(_ code: RuleError.Code, _ node: Node, _ message: String) {
        diagnostics.report(code, at: location(node), message)
    }

    /// A mapping with only `allowed` keys (a typo gets a suggestion) and all `required` ones.
    func mapping(_ node: Node, _ what: String, allowed: [String], required: [String] = []) -> YAMLMapping? {
        guard case .mapping(let mapping) = node else {
            report(.wrongShape, node, "\(what) must be a mapping")
            return nil
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                report(.wrongShape, keyNode, "keys in \(what) must be plain names")
                continue
            }
            if !allowed.contains(key) {
                report(
                    .unknownField, keyNode,
                    "unknown field '\(key)' in \(what)\(Suggestion.hint(for: key, among: allowed))")
            }
            entries.append((key, keyNode, value))
        }
        let result = YAMLMapping(entries: entries, location: location(node))
        for key in required where !result.has(key) {
            report(.missingField, node, "\(what) is missing required field '\(key)'")
        }
        return result
    }

    /// A mapping whose keys are free names (variables, payload fields).
    func namedEntries(_ node: Node, _ what: String) -> [(key: String, keyNode: Node, value: Node)] {
        mapping(node, what, allowed: (node.mapping?.keys.compactMap { $0.scalar?.string }) ?? [])?.entries ?? []
    }

    func string(_ node: Node, _ field: String) -> String? {
        guard let scalar = node.scalar, node.null == nil else {
            report(.wrongShape, node, "'\(field)' must be a string")
            return nil
        }
        guard !scalar.string.isEmpty else {
            report(.invalidValue, node, "'\(field)' must not be empty")
            return nil
        }
        return scalar.string
    }

    func int(_ node: Node, _ field: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard let value = node.int else {
            report(.wrongShape, node, "'\(field)' must be an integer, got '\(node.scalar?.string ?? "a collection")'")
            return nil
        }
        if let range, !range.contains(value) {
            report(.invalidValue, node, "'\(field)' must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ field: String) -> Bool? {
        guard let value = node.bool else {
            report(.wrongShape, node, "'\(field)' must be true or false")
            return nil
        }
        return value
    }

    func span(_ node: Node, _ field: String) -> TimeSpan? {
        guard let text = node.scalar?.string, !text.isEmpty else {
            report(.wrongShape, node, "'\(field)' must be a duration such as 30m, 2h or 14d")
            return nil
        }
        var sign: Int64 = 1
        var body = Substring(text)
        if body.hasPrefix("-") {
            sign = -1
            body = body.dropFirst()
        }
        switch TimeSpan.parse(String(body)) {
        case .success(let span): return TimeSpan(milliseconds: sign * span.milliseconds)
        case .failure(let error):
            report(.badDuration, node, "\(error.message) in '\(field)'")
            return nil
        }
    }

    func timeOfDay(_ node: Node, _ field: String) -> TimeOfDay? {
        guard let text = node.scalar?.string, let time = TimeOfDay(text) else {
            report(.invalidValue, node, "'\(field)' must be a time of day HH:MM, e.g. \"10:00\"")
            return nil
        }
        return time
    }

    /// An expression. Non-string scalars (`5`, `true`) are constants; strings are parsed and
    /// type-checked; `expecting` adds a check of the result type.
    func expression(_ node: Node, _ field: String, scope: ExpressionScope, expecting: ValueType? = nil)
        -> CompiledExpression?
    {
        guard let scalar = node.scalar else {
            report(.wrongShape, node, "'\(field)' must be an expression, not a collection")
            return nil
        }
        let compiled: CompiledExpression
        if scalar.style == .plain, node.int != nil || node.float != nil || node.bool != nil || node.null != nil {
            compiled = .constant(Self.constant(node))
        } else {
            do {
                compiled = try CompiledExpression.compile(scalar.string, scope: scope)
            } catch {
                let code: RuleError.Code =
                    switch error.kind {
                    case .syntax: .expressionSyntax
                    case .type: .typeError
                    case .duration: .badDuration
                    }
                diagnostics.report(code, at: position(of: error.offset, in: node), "\(error.message) in '\(field)'")
                return nil
            }
        }
        if let expecting, !compiled.type.fits(expecting) {
            report(.typeError, node, "'\(field)' must be a \(expecting), but '\(scalar.string)' is a \(compiled.type)")
            return nil
        }
        return compiled
    }

    /// A YAML value as a literal (show payloads, params).
    static func constant(_ node: Node) -> Value {
        switch node {
        case .scalar(let scalar):
            if node.null != nil { return .null }
            if scalar.style == .plain {
                if let value = node.int { return .int(Int64(value)) }
                if let value = node.float { return .double(value) }
                if let value = node.bool { return .bool(value) }
            }
            return .string(scalar.string)
        case .sequence(let sequence): return .list(sequence.map(constant))
        case .mapping(let mapping):
            var fields: [String: Value] = [:]
            for (key, value) in mapping { fields[key.scalar?.string ?? ""] = constant(value) }
            return .object(fields)
        case .alias: return .null
        }
    }

    /// Maps an offset inside an expression to the file position, given how the scalar was written.
    private func position(of offset: Int, in node: Node) -> SourceLocation {
        let start = location(node)
        guard let scalar = node.scalar else { return start }
        switch scalar.style {
        case .plain: return start.advanced(byColumns: offset)
        case .singleQuoted, .doubleQuoted: return start.advanced(byColumns: offset + 1)
        default:
            // Block scalars start on the next line; count lines within the text.
            let before = scalar.string.unicodeScalars.prefix(offset)
            let lines = before.filter { $0 == "\n" }.count
            let column = before.reversed().prefix { $0 != "\n" }.count
            return SourceLocation(file: file, line: start.line + 1 + lines, column: start.column + 1 + column)
        }
    }
}

import Yams

/// Turns one YAML scenario file into a compiled `Scenario`, or into every error it contains.
public enum ScenarioLoader {
    static let rootFields = [
        "id", "version", "name", "description", "owner", "status", "params", "trigger", "entry", "vars", "goals",
        "exits", "start", "steps", "holdout",
    ]

    public static func load(yaml: String, file: String) -> Result<Scenario, RuleErrors> {
        let diagnostics = Diagnostics(file: file)
        let scenario = parse(yaml: yaml, diagnostics: diagnostics)
        if let scenario, !diagnostics.hasErrors { return .success(scenario) }
        return .failure(RuleErrors(diagnostics.errors))
    }

    static func compose(yaml: String, diagnostics: Diagnostics) -> Node? {
        do {
            guard let root = try Yams.compose(yaml: yaml) else {
                diagnostics.report(
                    .yamlSyntax, at: SourceLocation(file: diagnostics.file, line: 1, column: 1), "file is empty")
                return nil
            }
            return root
        } catch let error as YamlError {
            let (mark, problem) = describe(error)
            diagnostics.report(.yamlSyntax, at: SourceLocation(file: diagnostics.file, mark: mark), problem)
        } catch {
            diagnostics.report(.yamlSyntax, at: SourceLocation(file: diagnostics.file, line: 1, column: 1), "\(error)")
        }
        return nil
    }

    private static func describe(_ error: YamlError) -> (Mark?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // libyaml finds some problems far from their cause; the context says where it began.
            guard let context else { return (mark, "invalid YAML: \(problem)") }
            return (
                mark,
                "invalid YAML: \(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        default:
            return (nil, "invalid YAML: \(error)")
        }
    }

    private static func parse(yaml: String, diagnostics: Diagnostics) -> Scenario? {
        guard let root = compose(yaml: yaml, diagnostics: diagnostics) else { return nil }
        let reader = YAMLReader(diagnostics: diagnostics)
        guard
            let fields = reader.mapping(
                root, "a scenario", allowed: rootFields, required: ["id", "version", "trigger", "steps"])
        else { return nil }

        let id = fields["id"].flatMap { node in identifier(node, reader) }
        let version = fields["version"].flatMap { reader.int($0, "version", range: 1...1_000_000) }
        let status = fields["status"].flatMap { node -> Scenario.Status? in
            guard let text = reader.string(node, "status") else { return nil }
            guard let status = Scenario.Status(rawValue: text) else {
                let names = Scenario.Status.allCases.map(\.rawValue)
                reader.report(
                    .invalidValue, node, "unknown status '\(text)'; use one of \(names.joined(separator: ", "))")
                return nil
            }
            return status
        }
        let params =
            fields["params"].map { node in
                Dictionary(reader.namedEntries(node, "params").map { ($0.key, paramValue($0.value)) }) { $1 }
            } ?? [:]

        let stepsNode = fields["steps"]
        let declaredVariables = InstanceVariables.collect(fields: fields, steps: stepsNode, reader: reader)
        let triggerNode = fields["trigger"]
        let trigger = triggerNode.flatMap { TriggerLoader.load($0, reader: reader, params: params) }
        let hasTriggerEvent = triggerNode?.mapping?["event"] != nil
        let entryScope = ExpressionScope(hasEvent: hasTriggerEvent, params: params, instanceVariables: [:])
        let entry = fields["entry"].flatMap { EntryLoader.load($0, reader: reader, scope: entryScope) } ?? EntryRule()

        var vars: [(name: String, value: CompiledExpression)] = []
        var variableTypes = ScopeDefaults.instanceVariables(declaredVariables)
        for entry in fields["vars"].map({ reader.namedEntries($0, "vars") }) ?? [] {
            let (name, keyNode, value) = (entry.key, entry.keyNode, entry.value)
            if ExpressionScope.builtInInstanceVariables[name] != nil {
                reader.report(.invalidValue, keyNode, "'\(name)' is a built-in instance variable; choose another name")
            }
            if let expression = reader.expression(value, "vars.\(name)", scope: entryScope) {
                vars.append((name, expression))
                if variableTypes[name] == .any { variableTypes[name] = expression.type }
            }
        }

        let scope = ExpressionScope(hasEvent: true, params: params, instanceVariables: variableTypes)
        let goals = fields["goals"].map { ExitRuleLoader.load($0, "goals", reader: reader, scope: scope) } ?? []
        let exits = fields["exits"].map { ExitRuleLoader.load($0, "exits", reader: reader, scope: scope) } ?? []
        let steps = stepsNode.map { StepLoader.load($0, reader: reader, scope: scope) } ?? []

        var start = steps.first?.id
        if let startNode = fields["start"] { start = reader.string(startNode, "start") }
        StepGraphCheck.check(steps: steps, start: start, startNode: fields["start"] ?? stepsNode, reader: reader)

        let holdout = fields["holdout"].flatMap { HoldoutLoader.load($0, reader, field: "holdout") }

        guard let id, let version, let trigger, let start, !steps.isEmpty else { return nil }
        var stepsById: [String: Step] = [:]
        for step in steps { stepsById[step.id] = step }
        var instanceEvents = Set(goals.map(\.event) + exits.map(\.event))
        for step in steps {
            if case .waitForEvent(let wait) = step.kind { instanceEvents.insert(wait.event) }
            if case .digest(let digest, _) = step.kind { instanceEvents.insert(digest.event) }
        }
        return Scenario(
            id: id, version: version, name: fields["name"].flatMap { $0.scalar?.string } ?? id,
            description: fields["description"].flatMap { $0.scalar?.string } ?? "",
            owner: fields["owner"].flatMap { $0.scalar?.string } ?? "",
            status: status ?? .active, params: params, trigger: trigger, entry: entry, vars: vars, goals: goals,
            exits: exits, start: start, steps: stepsById, stepOrder: steps.map(\.id), instanceEvents: instanceEvents,
            holdout: holdout, location: reader.location(root))
    }

    /// Scenario and step ids: lowercase letters, digits, `-` and `_`; they end up in message ids.
    static func identifier(_ node: Node, _ reader: YAMLReader, field: String = "id") -> String? {
        guard let text = reader.string(node, field) else { return nil }
        let allowed = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        guard allowed, text.count <= 64 else {
            reader.report(
                .invalidValue, node,
                "'\(field)' must be lowercase letters, digits, '-' or '_' (at most 64), got '\(text)'")
            return nil
        }
        return text
    }

    /// Parameter values are literals; a string that reads as a duration (`24h`) is a duration.
    private static func paramValue(_ node: Node) -> Value {
        let value = YAMLReader.constant(node)
        if case .string(let text) = value, let span = try? TimeSpan.parse(text).get() { return .span(span) }
        return value
    }
}

enum ScopeDefaults {
    /// Built-ins plus every declared name, as `any` until the declaration's type is known.
    static func instanceVariables(_ declared: Set<String>) -> [String: ValueType] {
        var types = ExpressionScope.builtInInstanceVariables
        for name in declared where types[name] == nil { types[name] = .any }
        return types
    }
}

/// Instance variable names are declared by `vars`, by `set: instance:` and by digests' `as`;
/// they are collected first so any step may refer to any of them.
enum InstanceVariables {
    static func collect(fields: YAMLMapping, steps: Node?, reader: YAMLReader) -> Set<String> {
        var names = Set<String>()
        for (key, _) in fields["vars"]?.mapping ?? [:] { if let name = key.scalar?.string { names.insert(name) } }
        for (_, step) in steps?.mapping ?? [:] {
            if let instance = step.mapping?["set"]?.mapping?["instance"]?.mapping {
                for (key, _) in instance { if let name = key.scalar?.string { names.insert(name) } }
            }
            if let name = step.mapping?["digest"]?.mapping?["as"]?.scalar?.string { names.insert(name) }
        }
        return names
    }
}

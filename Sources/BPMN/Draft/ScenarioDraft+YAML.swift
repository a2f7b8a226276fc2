extension ScenarioDraft {
    /// The scenario file: the layout of `rules/*.yaml`, comments first for what was not mapped.
    public var yaml: String {
        var out = YAMLLines()
        if let source { out.comment("Imported from \(source) by `nudge bpmn import`.") }
        if !skipped.isEmpty {
            out.comment("Not mapped (the scenario has no counterpart for these elements):")
            for item in skipped { out.comment("- \(item)") }
        }
        out.field(0, "id", YAMLText.string(id))
        out.field(0, "version", String(version))
        if let name { out.field(0, "name", YAMLText.string(name)) }
        if let description { out.field(0, "description", YAMLText.string(description)) }
        if let owner { out.field(0, "owner", YAMLText.string(owner)) }
        if let status { out.field(0, "status", YAMLText.string(status)) }
        if !params.isEmpty {
            out.blank()
            out.key(0, "params")
            for param in params { out.field(1, YAMLText.string(param.name), param.value) }
        }
        out.blank()
        out.key(0, "trigger")
        writeTrigger(&out)
        if !entry.isEmpty {
            out.blank()
            out.key(0, "entry")
            if let key = entry.key { out.field(1, "key", YAMLText.expression(key)) }
            if entry.once { out.field(1, "once", "true") }
            if let oncePer = entry.oncePer { out.field(1, "once_per", YAMLText.expression(oncePer)) }
        }
        if !vars.isEmpty {
            out.blank()
            out.key(0, "vars")
            for variable in vars { out.field(1, YAMLText.string(variable.name), YAMLText.expression(variable.value)) }
        }
        for (list, rules) in [("goals", goals), ("exits", exits)] where !rules.isEmpty {
            out.blank()
            out.key(0, list)
            for rule in rules {
                out.line(1, "- id: \(YAMLText.string(rule.id))")
                out.field(2, "event", YAMLText.string(rule.event))
                if let when = rule.when { out.field(2, "when", YAMLText.expression(when)) }
            }
        }
        out.blank()
        if let start { out.field(0, "start", YAMLText.string(start)) }
        out.key(0, "steps")
        for (index, step) in steps.enumerated() {
            if index > 0 { out.blank() }
            write(step, &out)
        }
        return out.text
    }

    private func writeTrigger(_ out: inout YAMLLines) {
        switch trigger {
        case .event(let name, let when):
            out.field(1, "event", YAMLText.string(name))
            if let when { out.field(1, "when", YAMLText.expression(when)) }
        case .date(let attribute, let offset, let at, let yearly, let when):
            out.field(1, "date", YAMLText.string(attribute))
            if yearly { out.field(1, "yearly", "true") }
            if let offset { out.field(1, "offset", YAMLText.expression(offset)) }
            if let at { out.field(1, "at", YAMLText.quoted(at)) }
            if let when { out.field(1, "when", YAMLText.expression(when)) }
        case .absence(let name, let span, let when):
            out.field(1, "absence", YAMLText.string(name))
            out.field(1, "for", YAMLText.expression(span))
            if let when { out.field(1, "when", YAMLText.expression(when)) }
        }
    }

    private func write(_ step: StepDraft, _ out: inout YAMLLines) {
        out.key(1, YAMLText.string(step.id))
        for note in step.notes { out.line(2, "# \(YAMLLines.oneLine(note))") }
        switch step.kind {
        case .wait(let wait, let next):
            switch wait {
            case .duration(let span): out.field(2, "wait", YAMLText.expression(span))
            case .untilTime(let time):
                out.key(2, "wait")
                out.field(3, "until_time", YAMLText.quoted(time))
            case .until(let instant):
                out.key(2, "wait")
                out.field(3, "until", YAMLText.expression(instant))
            }
            out.next(next)
        case .waitFor(let wait):
            out.key(2, "wait_for")
            out.field(3, "event", YAMLText.string(wait.event))
            if let when = wait.when { out.field(3, "when", YAMLText.expression(when)) }
            out.field(3, "timeout", YAMLText.expression(wait.timeout))
            if let onEvent = wait.onEvent { out.field(2, "on_event", YAMLText.string(onEvent)) }
            if let onTimeout = wait.onTimeout { out.field(2, "on_timeout", YAMLText.string(onTimeout)) }
        case .branch(let cases, let otherwise):
            out.key(2, "branch")
            for item in cases {
                out.line(3, "- when: \(YAMLText.expression(item.when))")
                out.field(4, "next", YAMLText.string(item.next))
            }
            if let otherwise { out.field(2, "otherwise", YAMLText.string(otherwise)) }
        case .split(let paths):
            out.key(2, "split")
            for path in paths {
                out.line(3, "- percent: \(path.percent)")
                if let next = path.next { out.field(4, "next", YAMLText.string(next)) }
            }
        case .send(let send, let next):
            out.key(2, "send")
            out.field(3, "channel", YAMLText.string(send.channel))
            out.field(3, "template", YAMLText.string(send.template))
            if let topic = send.topic { out.field(3, "topic", YAMLText.string(topic)) }
            if let priority = send.priority { out.field(3, "priority", String(priority)) }
            if let transactional = send.transactional { out.field(3, "transactional", String(transactional)) }
            if !send.variables.isEmpty {
                out.key(3, "variables")
                for variable in send.variables {
                    out.field(4, YAMLText.string(variable.name), YAMLText.expression(variable.value))
                }
            }
            out.next(next)
        case .other(let kind, let body, let next):
            out.field(2, kind, body)
            out.next(next)
        case .end:
            out.field(2, "end", "{}")
        }
    }
}

/// Lines of a YAML file, indented by two spaces a level.
struct YAMLLines {
    private var lines: [String] = []

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func line(_ level: Int, _ text: String) {
        lines.append(String(repeating: "  ", count: level) + text)
    }

    mutating func key(_ level: Int, _ key: String) { line(level, "\(key):") }

    mutating func field(_ level: Int, _ key: String, _ value: String) { line(level, "\(key): \(value)") }

    mutating func next(_ next: String?) {
        if let next { field(2, "next", YAMLText.string(next)) }
    }

    mutating func comment(_ text: String) { line(0, "# \(Self.oneLine(text))") }

    mutating func blank() { lines.append("") }

    /// A comment must stay on its line.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}

import Foundation
import Yams

/// Loads `policy.yaml`, reporting every problem with its file:line:column.
public enum PolicyLoader {
    static let fields = [
        "version", "default_timezone", "caps", "quiet_hours", "priorities", "dedup_window", "transactional_exempt",
        "cap_action", "holdout",
    ]
    /// Fields that moved out of the policy: what to write instead.
    static let moved = Dictionary(
        uniqueKeysWithValues: ["rate_limits", "rate_limit"].map {
            (
                $0,
                "provider rate limits are not part of the contact policy: set 'rate_limit: {per_second, burst}' "
                    + "in the connector's file (connectors/<name>.yaml), which the dispatcher enforces"
            )
        })

    public static func load(yaml: String, file: String) -> Result<ContactPolicy, RuleErrors> {
        let diagnostics = Diagnostics(file: file)
        let reader = YAMLReader(diagnostics: diagnostics)
        guard let root = ScenarioLoader.compose(yaml: yaml, diagnostics: diagnostics),
            let mapping = reader.mapping(
                root, "the contact policy", allowed: fields + moved.keys, required: ["version"])
        else { return .failure(RuleErrors(diagnostics.errors)) }

        for entry in mapping.entries {
            if let instead = moved[entry.key] {
                reader.report(.unknownField, entry.keyNode, "'\(entry.key)': \(instead)")
            }
        }

        if let versionNode = mapping["version"] { _ = reader.int(versionNode, "version", range: 1...1) }
        var zone = "UTC"
        if let zoneNode = mapping["default_timezone"], let name = reader.string(zoneNode, "default_timezone") {
            if TimeZone(identifier: name) == nil {
                reader.report(
                    .invalidValue, zoneNode, "unknown time zone '\(name)' (use an IANA name, e.g. Europe/Berlin)")
            }
            zone = name
        }
        let caps = mapping["caps"].map { loadCaps($0, reader) } ?? []
        let quiet = mapping["quiet_hours"].map { loadQuietHoursRules($0, reader) } ?? []
        let enforcedQuiet = quiet.filter { !$0.shadow }
        if enforcedQuiet.count > 1, let node = mapping["quiet_hours"] {
            reader.report(
                .invalidValue, node,
                "only one quiet_hours rule can be enforced; mark the others 'shadow: true' to count what they would defer"
            )
        }
        let holdout = mapping["holdout"].flatMap { HoldoutLoader.load($0, reader, field: "holdout") }
        var priorities: [String: Int] = [:]
        for entry in mapping["priorities"].map({ reader.namedEntries($0, "priorities") }) ?? [] {
            if let value = reader.int(entry.value, "priorities.\(entry.key)", range: 0...100) {
                priorities[entry.key] = value
            }
        }
        let dedup = mapping["dedup_window"].flatMap { reader.span($0, "dedup_window") }
        let exempt = mapping["transactional_exempt"].flatMap { reader.bool($0, "transactional_exempt") } ?? true
        var capAction = ContactPolicy.CapAction.suppress
        if let node = mapping["cap_action"], let text = reader.string(node, "cap_action") {
            if let action = ContactPolicy.CapAction(rawValue: text) {
                capAction = action
            } else {
                reader.report(.invalidValue, node, "cap_action must be 'suppress' or 'defer', not '\(text)'")
            }
        }
        guard !diagnostics.hasErrors else { return .failure(RuleErrors(diagnostics.errors)) }
        return .success(
            ContactPolicy(
                defaultTimeZone: zone, caps: caps.filter { !$0.shadow }.map(\.rule),
                quietHours: enforcedQuiet.first?.rule, priorities: priorities, dedupWindow: dedup,
                transactionalExempt: exempt, capAction: capAction, location: reader.location(root),
                shadowCaps: caps.filter(\.shadow).map(\.rule), shadowQuietHours: quiet.filter(\.shadow).map(\.rule),
                holdout: holdout))
    }

    /// A rule as written, with its `shadow: true` mark.
    private struct Marked<Rule> {
        var rule: Rule
        var shadow: Bool
    }

    private static func shadowMark(_ fields: YAMLMapping, _ reader: YAMLReader) -> Bool {
        fields["shadow"].flatMap { reader.bool($0, "shadow") } ?? false
    }

    private static func loadCaps(_ node: Node, _ reader: YAMLReader) -> [Marked<ContactPolicy.Cap>] {
        guard case .sequence(let items) = node else {
            reader.report(.wrongShape, node, "'caps' must be a list of {channel, max, per}")
            return []
        }
        return items.compactMap { item in
            guard
                let fields = reader.mapping(
                    item, "a cap", allowed: ["channel", "max", "per", "shadow"], required: ["max", "per"]),
                let max = fields["max"].flatMap({ reader.int($0, "max", range: 0...10_000) }),
                let perNode = fields["per"]
            else { return nil }
            let period: TimeSpan?
            switch perNode.scalar?.string {
            case "day": period = .days(1)
            case "week": period = .days(7)
            case let text? where text.first?.isNumber == true: period = reader.span(perNode, "per")
            default:
                reader.report(.invalidValue, perNode, "'per' must be day, week or a duration such as 24h")
                period = nil
            }
            guard let period else { return nil }
            let channel = fields["channel"].flatMap { reader.string($0, "channel") }
            return Marked(
                rule: ContactPolicy.Cap(channel: channel == "all" ? nil : channel, max: max, period: period),
                shadow: shadowMark(fields, reader))
        }
    }

    /// `quiet_hours` is one rule or a list of them (one enforced, the others `shadow: true`).
    private static func loadQuietHoursRules(_ node: Node, _ reader: YAMLReader) -> [Marked<ContactPolicy.QuietHours>] {
        if case .sequence(let items) = node { return items.compactMap { loadQuietHours($0, reader) } }
        return loadQuietHours(node, reader).map { [$0] } ?? []
    }

    private static func loadQuietHours(_ node: Node, _ reader: YAMLReader) -> Marked<ContactPolicy.QuietHours>? {
        guard
            let fields = reader.mapping(
                node, "quiet_hours", allowed: ["from", "to", "channels", "shadow"], required: ["from", "to"]),
            let from = fields["from"].flatMap({ reader.timeOfDay($0, "from") }),
            let to = fields["to"].flatMap({ reader.timeOfDay($0, "to") })
        else { return nil }
        var channels: [String] = []
        if let channelsNode = fields["channels"] {
            if case .sequence(let items) = channelsNode {
                channels = items.compactMap { reader.string($0, "channels") }
            } else {
                reader.report(.wrongShape, channelsNode, "'channels' must be a list of channel names")
            }
        }
        if from == to { reader.report(.invalidValue, node, "quiet hours 'from' and 'to' are equal") }
        return Marked(
            rule: ContactPolicy.QuietHours(from: from, to: to, channels: channels), shadow: shadowMark(fields, reader))
    }
}

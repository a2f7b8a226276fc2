import Foundation

/// Renders a timeline for people (`text`) or for tools (`json`: one object per line).
public enum TimelineFormat: String, Sendable, CaseIterable {
    case text, json
}

public enum TimelineFormatter {
    public static func render(_ entries: [TimelineEntry], format: TimelineFormat) -> String {
        switch format {
        case .json: return entries.map(json).joined(separator: "\n")
        case .text: return entries.map(text).joined(separator: "\n")
        }
    }

    public static func json(_ entry: TimelineEntry) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(entry) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `2024-05-01T10:00:00Z  u1  draft-application-reminder@1  send_reminder  send  channel=email ...`
    public static func text(_ entry: TimelineEntry) -> String {
        var parts = [
            ISO8601.format(entry.at), entry.customerId, "\(entry.scenario)@\(entry.version)", entry.step,
            entry.kind.rawValue,
        ]
        var details: [String] = []
        if let channel = entry.channel { details.append("channel=\(channel)") }
        if let template = entry.template { details.append("template=\(template)") }
        if let slot = entry.slot { details.append("slot=\(slot)") }
        if let event = entry.event { details.append("event=\"\(event)\"") }
        if let reason = entry.reason { details.append("reason=\(reason)") }
        if let decision = entry.decision, entry.kind != .send { details.append("policy=\(decision)") }
        if let until = entry.until { details.append("until=\(ISO8601.format(until))") }
        if let data = entry.data, !data.isEmpty { details.append(Value.object(data).jsonText) }
        parts.append(details.joined(separator: " "))
        return parts.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
}

extension TimeSpan {
    /// Units accepted in duration literals, longest first so `ms` wins over `m`.
    static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// Parses `14d`, `2h`, `1h30m`, `500ms`. Returns a reason on failure so callers can report it.
    public static func parse(_ text: String) -> Result<TimeSpan, DurationSyntaxError> {
        var total: Int64 = 0
        var rest = Substring(text)
        guard !rest.isEmpty else { return .failure(DurationSyntaxError(text: text, reason: "is empty")) }
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, let amount = Int64(digits) else {
                return .failure(DurationSyntaxError(text: text, reason: "expected a number before a unit"))
            }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix(while: { $0.isLetter })
            guard let unit = units.first(where: { $0.suffix == letters }) else {
                let reason =
                    letters.isEmpty
                    ? "missing unit (use ms, s, m, h, d or w)"
                    : "unknown unit '\(letters)' (use ms, s, m, h, d or w)"
                return .failure(DurationSyntaxError(text: text, reason: reason))
            }
            rest = rest.dropFirst(letters.count)
            let (product, overflow) = amount.multipliedReportingOverflow(by: unit.milliseconds)
            guard !overflow else { return .failure(DurationSyntaxError(text: text, reason: "is too large")) }
            total += product
        }
        return .success(TimeSpan(milliseconds: total))
    }

    /// The shortest exact rendering, e.g. `90m` becomes `1h30m`.
    public var formatted: String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds.magnitude
        var out = milliseconds < 0 ? "-" : ""
        for unit in TimeSpan.units.reversed() where rest >= UInt64(unit.milliseconds) {
            out += "\(rest / UInt64(unit.milliseconds))\(unit.suffix)"
            rest %= UInt64(unit.milliseconds)
        }
        return out
    }
}

public struct DurationSyntaxError: Error, Sendable, Equatable {
    public var text: String
    public var reason: String

    public var message: String { "bad duration '\(text)': \(reason)" }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// ISO-8601 durations (`PT24H`, `P14D`) as the scenario language writes them (`24h`, `14d`),
/// component by component, so `PT24H` reads `24h` and not `1d`, and writes back the same.
enum ISODuration {
    struct Reading: Equatable {
        var text: String
        /// Years and months have no fixed length; they are read as 365 and 30 days.
        var approximated: Bool
    }

    /// `P1DT12H` -> `1d12h`; nil when `iso` is not an ISO-8601 duration.
    static func read(_ iso: String) -> Reading? {
        var rest = Substring(iso.trimmingWhitespace())
        guard rest.first == "P" || rest.first == "p" else { return nil }
        rest = rest.dropFirst()
        var inTime = false
        var weeks: Int64 = 0
        var days: Int64 = 0
        var parts: [(Int64, String)] = []
        var milliseconds: Int64 = 0
        var approximated = false
        var any = false
        while let first = rest.first {
            if first == "T" || first == "t" {
                guard !inTime else { return nil }
                inTime = true
                rest = rest.dropFirst()
                continue
            }
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }
            guard !number.isEmpty, let designator = rest.dropFirst(number.count).first else { return nil }
            rest = rest.dropFirst(number.count + 1)
            any = true
            let normalized = number.replacingOccurrences(",", with: ".")
            let pieces = normalized.split(separator: ".", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let whole = Int64(pieces[0].isEmpty ? "0" : String(pieces[0])) else { return nil }
            let fraction = pieces.count == 2 ? String(pieces[1]) : ""
            switch (inTime, designator.uppercased()) {
            case (false, "Y"):
                days += whole * 365
                approximated = true
            case (false, "M"):
                days += whole * 30
                approximated = true
            case (false, "W"): weeks += whole
            case (false, "D"): days += whole
            case (true, "H"): parts.append((whole, "h"))
            case (true, "M"): parts.append((whole, "m"))
            case (true, "S"):
                if whole > 0 { parts.append((whole, "s")) }
                let digits = (fraction + "000").prefix(3)
                milliseconds = Int64(digits) ?? 0
            default: return nil
            }
            if !fraction.isEmpty, designator.uppercased() != "S" || !inTime { return nil }
        }
        guard any else { return nil }
        var text = ""
        if weeks > 0 { text += "\(weeks)w" }
        if days > 0 { text += "\(days)d" }
        for (amount, unit) in parts where amount > 0 { text += "\(amount)\(unit)" }
        if milliseconds > 0 { text += "\(milliseconds)ms" }
        return Reading(text: text.isEmpty ? "0s" : text, approximated: approximated)
    }

    /// `1d12h` -> `P1DT12H`; nil when `text` is not a duration literal (an expression).
    static func write(_ text: String) -> String? {
        var rest = Substring(text)
        var weeks: Int64 = 0
        var days: Int64 = 0
        var hours: Int64 = 0
        var minutes: Int64 = 0
        var seconds: Int64 = 0
        var milliseconds: Int64 = 0
        var count = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let amount = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "w": weeks += amount
            case "d": days += amount
            case "h": hours += amount
            case "m": minutes += amount
            case "s": seconds += amount
            case "ms": milliseconds += amount
            default: return nil
            }
            count += 1
        }
        guard count > 0 else { return nil }
        seconds += milliseconds / 1000
        milliseconds %= 1000
        let onlyWeeks = weeks > 0 && days + hours + minutes + seconds + milliseconds == 0
        var out = "P"
        if onlyWeeks { return "P\(weeks)W" }
        days += weeks * 7
        if days > 0 { out += "\(days)D" }
        if hours + minutes + seconds + milliseconds > 0 {
            out += "T"
            if hours > 0 { out += "\(hours)H" }
            if minutes > 0 { out += "\(minutes)M" }
            if seconds > 0 || milliseconds > 0 {
                out += "\(seconds)"
                if milliseconds > 0 {
                    var fraction = String(milliseconds)
                    fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
                    while fraction.hasSuffix("0") { fraction.removeLast() }
                    out += ".\(fraction)"
                }
                out += "S"
            }
        }
        return out == "P" ? "PT0S" : out
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }

    func replacingOccurrences(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}

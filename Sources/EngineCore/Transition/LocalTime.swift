import Foundation

/// Wall-clock arithmetic in a customer's time zone. DST-correct because it goes through
/// `Calendar` with an explicit zone; the instant always comes in as a parameter.
enum LocalTime {
    /// The customer's time zone, the one every wall-clock rule uses (quiet hours, `wait: until:
    /// HH:MM`, date triggers): `profile.timezone` when it names a zone, else the default (the
    /// contact policy's `default_timezone`).
    static func timeZone(of profile: [String: Value], default zone: TimeZone) -> TimeZone {
        if case .string(let zoneName)? = profile["timezone"], let named = TimeZone(identifier: zoneName) {
            return named
        }
        return zone
    }

    /// A zone by IANA name; UTC when the name is unknown (the policy loader refuses those).
    static func zone(named name: String) -> TimeZone {
        TimeZone(identifier: name) ?? utc
    }

    static let utc = TimeZone(identifier: "UTC") ?? .gmt

    static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    static func date(_ timestamp: Timestamp) -> Date {
        Date(timeIntervalSince1970: Double(timestamp.milliseconds) / 1000)
    }

    static func timestamp(_ date: Date) -> Timestamp {
        Timestamp(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    /// The first instant strictly after `now` at which the local clock shows `time`.
    static func next(_ time: TimeOfDay, after now: Timestamp, in zone: TimeZone) -> Timestamp {
        let calendar = calendar(zone)
        let today = calendar.dateComponents([.year, .month, .day], from: date(now))
        for dayOffset in 0...2 {
            var components = today
            components.day = (today.day ?? 1) + dayOffset
            components.hour = time.hour
            components.minute = time.minute
            components.second = 0
            if let candidate = calendar.date(from: components).map(timestamp), candidate > now { return candidate }
        }
        return now + .days(1)
    }

    /// The moment a date trigger fires for an attribute value, or nil when it is not a date or
    /// the moment has passed. `YYYY-MM-DD` values are local dates; others are instants.
    static func moment(of trigger: DateTrigger, value: Value, after now: Timestamp, in zone: TimeZone) -> Timestamp? {
        guard case .string(let text) = value, let instant = ISO8601.parse(text) else {
            if case .timestamp(let instant) = value {
                return moment(of: trigger, instant: instant, dateOnly: false, after: now, in: zone)
            }
            return nil
        }
        return moment(of: trigger, instant: instant, dateOnly: text.count == 10, after: now, in: zone)
    }

    private static func moment(
        of trigger: DateTrigger, instant: Timestamp, dateOnly: Bool, after now: Timestamp, in zone: TimeZone
    )
        -> Timestamp?
    {
        let calendar = calendar(zone)
        // A bare date names a local calendar day: read it in UTC, where it was parsed.
        let source = dateOnly ? Self.calendar(utc) : calendar
        var base = source.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date(instant))
        base.timeZone = nil
        if let at = trigger.at {
            base.hour = at.hour
            base.minute = at.minute
            base.second = 0
        }
        let dayOffset = trigger.offset.milliseconds / 86_400_000
        let rest = TimeSpan(milliseconds: trigger.offset.milliseconds - dayOffset * 86_400_000)

        func resolve(year: Int?) -> Timestamp? {
            var components = base
            if let year {
                components.year = year
                if base.month == 2, base.day == 29, !isLeap(year) { components.day = 28 }
            }
            components.day = (components.day ?? 1) + Int(dayOffset)
            return calendar.date(from: components).map { timestamp($0) + rest }
        }

        guard trigger.yearly else {
            return resolve(year: nil).flatMap { $0 > now ? $0 : nil }
        }
        let currentYear = calendar.component(.year, from: date(now))
        for year in (currentYear - 1)...(currentYear + 2) {
            if let candidate = resolve(year: year), candidate > now { return candidate }
        }
        return nil
    }

    private static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }
}

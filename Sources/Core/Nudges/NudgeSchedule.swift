import Foundation

/// A local time of day, `HH:MM`.
public struct LocalTime: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    public init(hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    /// `9:30`, `09:30`; nil when it is not a time of day.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let time = LocalTime(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a time HH:MM"))
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var minutes: Int { hour * 60 + minute }
    public var description: String { String(format: "%02d:%02d", hour, minute) }
    public static func < (a: LocalTime, b: LocalTime) -> Bool { a.minutes < b.minutes }
}

/// Days of the week, ISO numbering (Monday 1 … Sunday 7).
public enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    public static let workingDays: [Weekday] = [.monday, .tuesday, .wednesday, .thursday, .friday]

    public init?(name: String) {
        let prefix = name.lowercased().prefix(3)
        guard let day = Self.allCases.first(where: { "\($0)".hasPrefix(prefix) }), prefix.count == 3 else { return nil }
        self = day
    }
}

/// When nudges may go out: quiet hours, working days, holidays, and how late a missed nudge may
/// still be sent.
public struct NudgeRules: Sendable, Hashable {
    /// No nudge from `quietStart` until `quietEnd` (across midnight when start > end).
    public var quietStart = LocalTime(hour: 19, minute: 0)
    public var quietEnd = LocalTime(hour: 8, minute: 0)
    /// A nudge whose time passed more than this many seconds ago is skipped (the server was down).
    public var lateTolerance: TimeInterval = 2 * 3600
    /// The days people get personal nudges (each person's local weekday).
    public var workingDays: [Weekday] = Weekday.workingDays
    /// Days with no nudges, by local date: `YYYY-MM-DD` for one day, `MM-DD` for that day every year;
    /// with a time zone in front (`Europe/Amsterdam 04-27`), only for the people in that zone (an
    /// office's own holiday). A person's local date counts, so a holiday starts and ends at each one's
    /// own midnight.
    public var holidays: Set<String> = []

    public init() {}

    /// Whether `entry` is a holiday as `holidays` takes it: a real calendar date `YYYY-MM-DD`, or a
    /// month and day `MM-DD` that exists in some year (`02-29` does).
    public static func isHolidayEntry(_ entry: String) -> Bool {
        let words = entry.split(separator: " ", omittingEmptySubsequences: false)
        if words.count == 2 {
            guard TimeZone.knownTimeZoneIdentifiers.contains(String(words[0])) || words[0] == "UTC" else { return false }
            return isHolidayEntry(String(words[1]))
        }
        let parts = entry.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return false }
        let year: Int
        switch parts.count {
        case 3 where parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2:
            guard let number = Int(parts[0]) else { return false }
            year = number
        case 2 where parts[0].count == 2 && parts[1].count == 2: year = 2024  // a leap year: 02-29 exists
        default: return false
        }
        guard let month = Int(parts[parts.count - 2]), let day = Int(parts[parts.count - 1]) else { return false }
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// Whether the local date `YYYY-MM-DD` is a holiday, for everyone or (given) in `zone`.
    public func isHoliday(_ localDate: String, zone: String? = nil) -> Bool {
        guard !holidays.isEmpty else { return false }
        let yearly = String(localDate.suffix(5))
        if holidays.contains(localDate) || holidays.contains(yearly) { return true }
        guard let zone else { return false }
        return holidays.contains(zone + " " + localDate) || holidays.contains(zone + " " + yearly)
    }

    public func isQuiet(_ time: LocalTime) -> Bool {
        quietStart > quietEnd
            ? (time >= quietStart || time < quietEnd)
            : (time >= quietStart && time < quietEnd)
    }

    /// The instant of `time` on the local date of `now` in `zone`, if that date is one of `days` and not
    /// a holiday, the time is outside quiet hours, and `now` is at or after it but by no more than the late tolerance.
    /// Across a daylight-saving change the wall-clock time is kept (09:30 stays 09:30); a time that
    /// does not exist that day (inside the spring-forward gap) moves forward by the gap.
    public func slot(_ time: LocalTime, days: [Weekday], zone: TimeZone, at now: Date) -> (instant: Date, localDate: String)? {
        guard !isQuiet(time) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = calendar.dateComponents([.year, .month, .day, .weekday], from: now)
        guard let gregorianWeekday = today.weekday else { return nil }
        let weekday = Weekday(rawValue: (gregorianWeekday + 5) % 7 + 1)!  // Sunday 1 … Saturday 7 → ISO
        guard days.contains(weekday) else { return nil }
        var components = DateComponents(year: today.year, month: today.month, day: today.day, hour: time.hour, minute: time.minute)
        components.timeZone = zone
        guard let instant = calendar.date(from: components) else { return nil }
        guard instant <= now, now.timeIntervalSince(instant) <= lateTolerance else { return nil }
        let localDate = String(format: "%04d-%02d-%02d", today.year ?? 0, today.month ?? 0, today.day ?? 0)
        guard !isHoliday(localDate, zone: zone.identifier) else { return nil }
        return (instant, localDate)
    }
}
